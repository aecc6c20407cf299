using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;

namespace SteelCI.GitHub.Tests;

public sealed class FetchTests
{
    private static async Task<(Harness H, string Output, StoredRelease Release)> PublishedAsync(long partSize = 1 << 20, params (string, int)[] files)
    {
        var h = await Harness.StartAsync();
        var output = h.Output("a", files: files);
        var release = await h.Store(partSize).PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);
        return (h, output, release);
    }

    private static void AssertSameFiles(string expected, string actual) =>
        Assert.Equal(Sha256.OfDirectory(expected), Sha256.OfDirectory(actual));

    [Fact]
    public async Task Fetch_downloads_verifies_and_caches_without_sending_authorization_to_storage()
    {
        var (h, output, release) = await PublishedAsync();
        await using var _ = h;
        var folder = await h.Store().FetchAsync(release, CancellationToken.None);

        Assert.Equal(Path.Combine(h.Cache, release.Tag), folder);
        AssertSameFiles(output, folder);
        var storage = h.Server.State.Requests.Where(r => r.Path.StartsWith("/storage/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(storage);
        Assert.All(storage, r => Assert.Equal((false, 200), (r.HadAuthorization, r.Status)));
        Assert.Empty(Directory.GetDirectories(h.Cache, ".partial-*"));

        var before = h.Server.State.Requests.Count;
        Assert.Equal(folder, await h.Store().FetchAsync(release, CancellationToken.None)); // cached: no request at all
        Assert.Equal(before, h.Server.State.Requests.Count);
    }

    [Fact]
    public async Task Parts_are_joined_on_download()
    {
        var (h, output, release) = await PublishedAsync(partSize: 1000, ("weights/model.safetensors", 3500), ("b.json", 12));
        await using var _ = h;

        var before = h.Requests("GET", "/storage/");
        var folder = await h.Store(partSize: 1000).FetchAsync(release, CancellationToken.None);

        AssertSameFiles(output, folder);
        Assert.Equal(7, h.Requests("GET", "/storage/") - before); // 4 parts + b.json + index + manifest
    }

    [Fact]
    public async Task A_cut_transfer_resumes_with_a_range_request()
    {
        var (h, output, release) = await PublishedAsync(files: ("model.safetensors", 200_000));
        await using var _ = h;
        h.Server.Faults.CutDownloads(1, afterBytes: 70_000, assetName: "model.safetensors");

        var folder = await h.Store().FetchAsync(release, CancellationToken.None);

        AssertSameFiles(output, folder);
        Assert.Contains(h.Log, l => l.StartsWith("resuming model.safetensors at byte ", StringComparison.Ordinal));
        Assert.Equal(2, h.Server.State.Requests.Count(r => r.Path.StartsWith("/storage/", StringComparison.Ordinal)
            && r.Path.EndsWith("/" + h.Releases().Single().Assets.Single(a => a.Name == "model.safetensors").Id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_interrupted_download_resumes_where_the_last_process_stopped()
    {
        var (h, output, release) = await PublishedAsync(partSize: 1000, ("model.safetensors", 3500));
        await using var _ = h;
        var staging = Path.Combine(h.Cache, ".partial-" + release.Tag);
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, ".steelci-fetch"), $"{release.Tag} {Sha256.OfFile(Path.Combine(output, Manifest.FileName))}");

        var bytes = File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        File.WriteAllBytes(Path.Combine(staging, "model.safetensors.download"), bytes[..2300]); // parts 1, 2 and 300 bytes of 3
        var before = h.Requests("GET", "/storage/");

        var folder = await h.Store(partSize: 1000).FetchAsync(release, CancellationToken.None);

        AssertSameFiles(output, folder);
        Assert.Contains(h.Log, l => l == "resuming model.safetensors.part003 at byte 300 of 1000");
        Assert.Equal(4, h.Requests("GET", "/storage/") - before); // manifest, index, the rest of part003, part004
    }

    [Fact]
    public async Task A_staging_folder_of_other_content_is_not_resumed_from()
    {
        var (h, output, release) = await PublishedAsync();
        await using var _ = h;
        var staging = Path.Combine(h.Cache, ".partial-" + release.Tag);
        Directory.CreateDirectory(staging);
        File.WriteAllBytes(Path.Combine(staging, "model.safetensors"), new byte[3000]); // right length, wrong bytes
        File.WriteAllText(Path.Combine(staging, ".steelci-fetch"), "some-other-tag 00");

        var folder = await h.Store().FetchAsync(release, CancellationToken.None);

        AssertSameFiles(output, folder);
    }

    [Fact]
    public async Task A_corrupted_asset_is_refused_naming_the_file_and_both_hashes()
    {
        var (h, output, release) = await PublishedAsync();
        await using var _ = h;
        var model = h.Releases().Single().Assets.Single(a => a.Name == "model.safetensors");
        h.Server.State.CorruptAsset(model.Id, 10);
        var expected = Sha256.OfFile(Path.Combine(output, "model.safetensors"));

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => h.Store().FetchAsync(release, CancellationToken.None));

        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Matches("sha256 [0-9a-f]{64}", error.Message);
        Assert.False(Directory.Exists(Path.Combine(h.Cache, release.Tag)));
    }

    [Fact]
    public async Task A_corrupted_part_is_refused_naming_the_part_and_both_hashes()
    {
        var (h, _, release) = await PublishedAsync(partSize: 1000, ("model.safetensors", 2500));
        await using var __ = h;
        var part = h.Releases().Single().Assets.Single(a => a.Name == "model.safetensors.part002");
        h.Server.State.CorruptAsset(part.Id, 999);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => h.Store(partSize: 1000).FetchAsync(release, CancellationToken.None));

        Assert.Matches("asset model.safetensors.part002 has sha256 [0-9a-f]{64}, the manifest's index says [0-9a-f]{64}", error.Message);
        Assert.False(Directory.Exists(Path.Combine(h.Cache, release.Tag)));
    }

    [Fact]
    public async Task A_truncated_asset_is_refused()
    {
        var (h, _, release) = await PublishedAsync();
        await using var __ = h;
        var model = h.Releases().Single().Assets.Single(a => a.Name == "model.safetensors");
        lock (h.Server.State.Gate)
            model.Size = 2000;

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => h.Store().FetchAsync(release, CancellationToken.None));

        Assert.Contains("asset model.safetensors holds 2000 bytes, the index says 3000", error.Message);
    }

    [Fact]
    public async Task A_damaged_cache_folder_is_downloaded_again()
    {
        var (h, output, release) = await PublishedAsync();
        await using var _ = h;
        var folder = await h.Store().FetchAsync(release, CancellationToken.None);
        File.WriteAllText(Path.Combine(folder, "metrics.json"), "tampered");

        Assert.Equal(folder, await h.Store().FetchAsync(release, CancellationToken.None));
        AssertSameFiles(output, folder);
    }

    [Fact]
    public async Task Repeated_lookups_use_conditional_requests()
    {
        var (h, _, release) = await PublishedAsync();
        await using var _ = h;
        var store = h.Store();
        await store.FindAsync(release.Tag, CancellationToken.None); // downloads the manifest, which changes download_count
        await store.FindAsync(release.Tag, CancellationToken.None);
        var found = await store.FindAsync(release.Tag, CancellationToken.None);

        Assert.Equal(release.Manifest.ContentKey, found!.Manifest.ContentKey);
        Assert.Contains(h.Server.State.Requests, r => r.Path.EndsWith("/releases/tags/" + release.Tag, StringComparison.Ordinal) && r.Status == 304);
    }
}
