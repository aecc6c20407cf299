using System.Security.Cryptography;
using SteelCI.Kaggle.Api;

namespace SteelCI.Kaggle.Tests;

public sealed class TransferTests
{
    private static string RandomFile(string directory, string name, int bytes)
    {
        var path = Path.Combine(directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(bytes));
        return path;
    }

    [Fact]
    public async Task A_cut_upload_resumes_from_what_the_server_holds()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        var file = RandomFile(h.Workspace, "blob.bin", 3_000_000);
        h.Server.Faults.CutUploads = 1;
        var token = await h.Drive(new BlobUploader(alice).UploadAsync(file, "blob.bin", CancellationToken.None), TimeSpan.FromMilliseconds(500));
        Assert.StartsWith("blob-", token);
        Assert.InRange(h.Server.State.BytesReceived, 3_000_000, 4_600_000); // half again, not twice
        await alice.CreateDatasetAsync(new CreateDatasetRequest { OwnerSlug = "alice", Slug = "resumed-blob", Title = "Resumed blob", Files = [new() { Token = token }] }, CancellationToken.None);
        Assert.Equal(["blob.bin"], h.Server.State.DatasetFiles("alice", "resumed-blob"));
    }

    [Fact]
    public async Task Datasets_walk_their_processing_states_and_refuse_a_version_meanwhile()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        var uploader = new BlobUploader(alice);
        var a = await uploader.UploadAsync(RandomFile(h.Workspace, "a.txt", 10), "a.txt", CancellationToken.None);
        var b = await uploader.UploadAsync(RandomFile(h.Workspace, "sub/b.txt", 0), "b.txt", CancellationToken.None);
        var created = await alice.CreateDatasetAsync(new CreateDatasetRequest
        {
            OwnerSlug = "alice", Slug = "tree-data", Title = "Tree data",
            Files = [new() { Token = a }],
            Directories = [new() { Name = "sub", Files = [new() { Token = b }] }],
        }, CancellationToken.None);
        Assert.Equal("alice/tree-data", created.Ref);
        Assert.Equal(["a.txt", "sub/b.txt"], h.Server.State.DatasetFiles("alice", "tree-data"));

        Assert.Equal(DatabundleVersionStatus.NotYetPersisted, (await alice.GetDatasetStatusAsync("alice", "tree-data", CancellationToken.None)).Status);
        var c = await uploader.UploadAsync(RandomFile(h.Workspace, "c.txt", 5), "c.txt", CancellationToken.None);
        var version = new CreateDatasetVersionRequest { OwnerSlug = "alice", DatasetSlug = "tree-data", Body = new() { Files = [new() { Token = c }] } };
        await Assert.ThrowsAsync<KaggleNotFoundException>(() => alice.CreateDatasetVersionAsync(version, CancellationToken.None));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(DatabundleVersionStatus.BlobsDecompressed, (await alice.GetDatasetStatusAsync("alice", "tree-data", CancellationToken.None)).Status);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(DatabundleVersionStatus.Ready, (await alice.GetDatasetStatusAsync("alice", "tree-data", CancellationToken.None)).Status);
        await alice.CreateDatasetVersionAsync(version, CancellationToken.None);

        // An existing slug is 409 CONFLICT, which kagglehub reads as "already exists" (kaggle-api.md §8, datasets_helpers.py).
        var taken = await Assert.ThrowsAsync<KaggleConflictException>(() => alice.CreateDatasetAsync(
            new CreateDatasetRequest { OwnerSlug = "alice", Slug = "tree-data", Title = "Tree data", Files = [new() { Token = a }] }, CancellationToken.None));
        Assert.Contains("already in use", taken.Message);
        await Assert.ThrowsAsync<KaggleNotFoundException>(() => alice.GetDatasetStatusAsync("alice", "no-such-data", CancellationToken.None));
    }

    [Fact]
    public async Task A_cut_download_resumes_with_range_and_ends_byte_identical()
    {
        var payload = RandomNumberGenerator.GetBytes(5_000_000);
        await using var h = await Harness.StartAsync(o => o with
        {
            Runner = new Fake.ScriptedKernelRunner(o.Time, TimeSpan.FromSeconds(10), (_, output) =>
            {
                File.WriteAllBytes(Path.Combine(output, "model.safetensors"), payload);
                return new Fake.ScriptedResult(true, ["done"]);
            }),
        });
        var alice = h.Alice();
        await alice.SaveKernelAsync(new SaveKernelRequest { Slug = "alice/dl-run", NewTitle = "dl-run", Text = "x", Language = "python", KernelType = "script" }, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await alice.GetKernelSessionStatusAsync("alice", "dl-run", 1, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var output = await alice.ListKernelSessionOutputAsync("alice", "dl-run", 1, CancellationToken.None);
        var url = Assert.Single(output.Files).Url;

        h.Server.Faults.CutDownloads = 2;
        var target = Path.Combine(h.Workspace, "out", "model.safetensors");
        var size = await h.Drive(new OutputDownloader(alice).DownloadAsync(url, target, CancellationToken.None), TimeSpan.FromMilliseconds(500));
        Assert.Equal(payload.Length, size);
        Assert.Equal(payload, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(target + ".part"));
        Assert.Equal(2, h.Log.Lines.Count(l => l.Contains("download cut")));
    }

    [Fact]
    public async Task An_expired_output_url_says_to_collect_again()
    {
        await using var h = await Harness.StartAsync();
        var error = await Assert.ThrowsAsync<KaggleNotFoundException>(() =>
            new OutputDownloader(h.Alice()).DownloadAsync(new Uri(h.Server.BaseUrl, "fake-output/nope").ToString(), Path.Combine(h.Workspace, "x"), CancellationToken.None));
        Assert.Contains("collect the outputs again", error.Message);
    }
}
