using SteelCI.Ports;
using Octokit;
using SteelCI.Contracts;
using SteelCI.Hashing;

namespace SteelCI.GitHub.Tests;

/// <summary>GitHub refuses the 1001st asset of a release; an output of more files than that goes up with its small files
/// packed into one zip asset, and comes back unpacked and verified file by file against the manifest.</summary>
public sealed class PackedReleaseTests
{
    private static (string, int)[] ManyFiles(int count) =>
        Enumerable.Range(0, count).Select(i => ($"images/{i:0000}.png", 40 + i % 7)).Append(("model.safetensors", 2500)).ToArray();

    [Fact]
    public async Task The_fake_refuses_the_1001st_asset_of_a_release_as_github_does()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        var release = await github.Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease("many") { Draft = true });
        using var http = new HttpClient();
        var upload = release.UploadUrl[..release.UploadUrl.IndexOf('{')];
        async Task<HttpResponseMessage> Upload(int i)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{upload}?name=a{i:0000}.bin") { Content = new ByteArrayContent([1, 2, 3]) };
            request.Content.Headers.ContentType = new("application/octet-stream");
            request.Headers.Authorization = new("Bearer", Harness.Token);
            return await http.SendAsync(request);
        }
        for (var i = 1; i <= 1000; i++)
            Assert.Equal(System.Net.HttpStatusCode.Created, (await Upload(i)).StatusCode);

        var refused = await Upload(1001);

        Assert.Equal(422, (int)refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("\"field\":\"file_count\"", body);
        Assert.Contains("file_count limited to 1000 assets", body);
        Assert.Equal(1000, h.Releases().Single().Assets.Count);
    }

    [Fact]
    public async Task An_output_of_1200_files_publishes_as_one_packed_asset_and_fetches_verified_file_by_file()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("many", files: ManyFiles(1200));
        var release = await h.Store(partSize: 1000).PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);

        var assets = h.Releases().Single().Assets.Select(a => a.Name).ToList();
        Assert.True(assets.Count < 1000, $"{assets.Count} assets");
        // The zip is one file as far as parts go: larger than the part size, it is split like any other.
        Assert.Contains(AssetIndex.PackedAsset + ".part001", assets);
        Assert.Contains("model.safetensors.part003", assets); // larger than one part: split as before, not packed
        Assert.DoesNotContain(assets, a => a.StartsWith("images__", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Cache, ".pack"))); // the local zip goes once published

        var folder = await h.Store(partSize: 1000).FetchAsync(release, CancellationToken.None);

        Assert.Equal(Sha256.OfDirectory(output), Sha256.OfDirectory(folder));
        Assert.Contains(h.Log, l => l == $"unpacked 1200 files from {AssetIndex.PackedAsset}, each matching the manifest");
        Assert.False(Directory.Exists(Path.Combine(folder, ".steelci-archives")));
    }

    [Fact]
    public async Task A_tampered_file_left_in_the_staging_folder_is_not_trusted_by_the_next_fetch()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("many", files: ManyFiles(1100));
        var release = await h.Store().PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);
        var staging = Path.Combine(h.Cache, ".partial-" + release.Tag);
        Directory.CreateDirectory(Path.Combine(staging, "images"));
        File.WriteAllText(Path.Combine(staging, ".steelci-fetch"), $"{release.Tag} {Sha256.OfFile(Path.Combine(output, Manifest.FileName))}");
        foreach (var file in Directory.GetFiles(Path.Combine(output, "images")))
            File.Copy(file, Path.Combine(staging, "images", Path.GetFileName(file)));
        var victim = Path.Combine(staging, "images", "0007.png");
        var bytes = File.ReadAllBytes(victim);
        bytes[3] ^= 0xFF; // same length, other content: what a crash between write and check could leave
        File.WriteAllBytes(victim, bytes);

        var folder = await h.Store().FetchAsync(release, CancellationToken.None);

        Assert.Equal(Sha256.OfDirectory(output), Sha256.OfDirectory(folder));
        Assert.Contains(h.Log, l => l == $"unpacked 1101 files from {AssetIndex.PackedAsset}, each matching the manifest");
    }

    [Fact]
    public async Task A_corrupted_packed_asset_is_refused_and_no_byte_of_it_is_kept_for_a_resume()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("many", files: ManyFiles(1100));
        var release = await h.Store().PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);
        var packed = h.Releases().Single().Assets.Single(a => a.Name == AssetIndex.PackedAsset);
        h.Server.State.CorruptAsset(packed.Id, 100);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => h.Store().FetchAsync(release, CancellationToken.None));

        Assert.Matches($"asset {AssetIndex.PackedAsset} has sha256 [0-9a-f]{{64}}, the manifest's index says [0-9a-f]{{64}}", error.Message);
        Assert.False(Directory.Exists(Path.Combine(h.Cache, release.Tag)));
        Assert.All(Directory.EnumerateFiles(h.Cache, "*.zip*", SearchOption.AllDirectories), f => Assert.Equal(0, new FileInfo(f).Length));
        Assert.Empty(Directory.EnumerateFiles(h.Cache, "*.png", SearchOption.AllDirectories));
    }
}
