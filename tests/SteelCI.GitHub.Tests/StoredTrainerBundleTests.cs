using SteelCI.Running;

namespace SteelCI.GitHub.Tests;

/// <summary>
/// A pinned trainer bundle kept as a GitHub release (the store of the scheduled workflow's state), over loopback
/// against the fake: stored once, fetched by a runner that keeps nothing with the bundle hash recomputed, and a
/// stored asset damaged at rest is refused naming the release and the file, then replaced by the next store.
/// </summary>
public sealed class StoredTrainerBundleTests
{
    /// <summary>A trainer bundle folder as the publisher leaves it: its files and steelci-bundle.json naming their hash.</summary>
    private static (string Directory, string Hash) Bundle(Harness h)
    {
        var directory = Path.Combine(h.Root, "ws-a", "trainer", "bundles", "bundle");
        Directory.CreateDirectory(Path.Combine(directory, "runtimes", "linux-x64", "native"));
        File.WriteAllBytes(Path.Combine(directory, "Severstal.Trainer.dll"), Enumerable.Range(0, 5000).Select(i => (byte)(i * 31)).ToArray());
        File.WriteAllBytes(Path.Combine(directory, "runtimes", "linux-x64", "native", "libtorch_cpu.so"), Enumerable.Range(0, 2500).Select(i => (byte)i).ToArray());
        var hash = StoredTrainerBundles.HashOf(directory);
        File.WriteAllText(Path.Combine(directory, StoredTrainerBundles.InfoFile), $$"""{"runtime":"self-contained","hash":"{{hash}}"}""");
        return (directory, hash);
    }

    [Fact]
    public async Task A_bundle_is_stored_once_fetched_verified_by_a_fresh_runner_and_a_damaged_asset_is_refused_then_replaced()
    {
        await using var h = await Harness.StartAsync();
        var (directory, hash) = Bundle(h);
        var tag = StoredTrainerBundles.Tag(hash);
        var bundles = new StoredTrainerBundles(h.Store(), h.Time, "0.1.0");

        var first = await bundles.EnsureStoredAsync("severstal", new Ports.TrainerBundle(directory, hash), replace: false, CancellationToken.None);
        var uploads = h.Requests("POST", "/assets");
        var second = await bundles.EnsureStoredAsync("severstal", new Ports.TrainerBundle(directory, hash), replace: false, CancellationToken.None);

        Assert.StartsWith("Stored the pinned trainer bundle", first);
        Assert.StartsWith($"The pinned trainer bundle {hash[..12]} is stored as release {tag}", second);
        Assert.True(uploads > 0);
        Assert.Equal(uploads, h.Requests("POST", "/assets")); // the second store uploaded nothing
        Assert.Single(h.Releases(), r => r.Tag == tag);

        // A fresh runner: nothing cached.
        var lines = new List<string>();
        var fetched = await new StoredTrainerBundles(h.Store(), h.Time, "0.1.0").FetchAsync(hash, lines.Add, CancellationToken.None);
        Assert.NotNull(fetched.Directory);
        Assert.Equal(hash, StoredTrainerBundles.HashOf(fetched.Directory));
        Assert.Equal(File.ReadAllBytes(Path.Combine(directory, StoredTrainerBundles.InfoFile)),
            File.ReadAllBytes(Path.Combine(fetched.Directory, StoredTrainerBundles.InfoFile)));
        Assert.Empty(lines);

        // Damaged at rest, same length: the fake's sizes still agree, only the download's check can see it.
        var release = h.Releases().Single(r => r.Tag == tag);
        var asset = release.Assets.Single(a => a.Name.Contains("Severstal.Trainer.dll", StringComparison.Ordinal));
        h.Server.State.CorruptAsset(asset.Id, 100);
        Directory.Delete(h.Cache, recursive: true);

        var refused = await new StoredTrainerBundles(h.Store(), h.Time, "0.1.0").FetchAsync(hash, lines.Add, CancellationToken.None);

        Assert.Null(refused.Directory);
        Assert.True(refused.Refused);
        Assert.Contains($"release {tag}", refused.Problem);
        Assert.Contains("Severstal.Trainer.dll", refused.Problem);
        Assert.Contains(lines, l => l.StartsWith("stored trainer bundle refused: release " + tag, StringComparison.Ordinal));

        // A runner that has the bundle (kept, or built with the same hash) replaces the damaged copy.
        await bundles.EnsureStoredAsync("severstal", new Ports.TrainerBundle(directory, hash), replace: true, CancellationToken.None);
        var again = await new StoredTrainerBundles(h.Store(), h.Time, "0.1.0").FetchAsync(hash, _ => { }, CancellationToken.None);
        Assert.True(again.Directory is not null, again.Problem);
        Assert.Equal(hash, StoredTrainerBundles.HashOf(again.Directory));
    }

    [Fact]
    public async Task A_half_uploaded_bundle_is_never_fetched_and_the_next_store_completes_it()
    {
        await using var h = await Harness.StartAsync();
        var (directory, hash) = Bundle(h);
        var uploads = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.State.UploadStarted += _ => { if (uploads == 2) started.TrySetResult(); };
        var kill = new KillSwitch((request, _) => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.Contains("/api/uploads/")
            && ++uploads == 2, () => started.Task);

        await Assert.ThrowsAsync<ProcessKilled>(() => new StoredTrainerBundles(h.Store(transfers: new HttpClient(kill)), h.Time, "0.1.0")
            .EnsureStoredAsync("severstal", new Ports.TrainerBundle(directory, hash), replace: false, CancellationToken.None));
        await h.Server.WhenIdle();
        Assert.True(Assert.Single(h.Releases()).Draft);

        var none = await new StoredTrainerBundles(h.Store(), h.Time, "0.1.0").FetchAsync(hash, _ => { }, CancellationToken.None);

        Assert.Null(none.Directory);
        Assert.False(none.Refused);
        Assert.Contains($"has no release {StoredTrainerBundles.Tag(hash)}", none.Problem);
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(directory)!, ".staging-store-*"));

        await new StoredTrainerBundles(h.Store(), h.Time, "0.1.0").EnsureStoredAsync("severstal", new Ports.TrainerBundle(directory, hash),
            replace: false, CancellationToken.None);
        var fetched = await new StoredTrainerBundles(h.Store(), h.Time, "0.1.0").FetchAsync(hash, _ => { }, CancellationToken.None);

        Assert.False(Assert.Single(h.Releases()).Draft);
        Assert.True(fetched.Directory is not null, fetched.Problem);
        Assert.Equal(hash, StoredTrainerBundles.HashOf(fetched.Directory));
    }
}
