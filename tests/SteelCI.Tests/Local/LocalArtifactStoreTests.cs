using SteelCI.Ports;
using SteelCI.Contracts;
using SteelCI.Local;
using SteelCI.Testing;
using SteelCI.Tests.Contracts;

namespace SteelCI.Tests.Local;

public sealed class LocalArtifactStoreTests
{
    private static readonly string Key = new('a', 64);

    [Fact]
    public async Task Publishing_copies_verified_files_and_the_same_tag_twice_yields_one_release()
    {
        using var dir = new TempDirectory("store");
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        Manifests.Write(dir.Combine("out"), "train", Key);

        var first = await store.PublishAsync("p-train-aaaaaaaaaaaa", dir.Combine("out"), replace: false, default);
        File.WriteAllText(dir.Combine("out", "model.safetensors"), "retrained"); // a second output with the same key
        Manifests.Write(dir.Combine("out"), "train", Key, metric: 0.9);
        var second = await store.PublishAsync("p-train-aaaaaaaaaaaa", dir.Combine("out"), replace: false, default);

        Assert.Equal(first.Location, second.Location);
        Assert.Equal(0.5, second.Manifest.Metrics["score"]); // the first release stands
        Assert.Single(Directory.GetDirectories(dir.Combine("releases")));
        Assert.Equal(dir.Combine("releases", "p-train-aaaaaaaaaaaa"), await store.FetchAsync(second, default));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(dir.Combine("releases", "p-train-aaaaaaaaaaaa", "model.safetensors")));
    }

    [Fact]
    public async Task Replace_swaps_the_release_whole()
    {
        using var dir = new TempDirectory("store");
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        Manifests.Write(dir.Combine("a"), "train", Key, metric: 0.1);
        Manifests.Write(dir.Combine("b"), "train", Key, metric: 0.2);

        await store.PublishAsync("t", dir.Combine("a"), replace: false, default);
        var replaced = await store.PublishAsync("t", dir.Combine("b"), replace: true, default);

        Assert.Equal(0.2, replaced.Manifest.Metrics["score"]);
        Assert.Single(Directory.GetDirectories(dir.Combine("releases")));
    }

    [Fact]
    public async Task Delete_removes_the_release_whole_and_a_missing_one_is_no_error()
    {
        using var dir = new TempDirectory("store");
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        Manifests.Write(dir.Combine("a"), "train", Key);
        Manifests.Write(dir.Combine("b"), "train", Key);
        await store.PublishAsync("p-train-aaaaaaaaaaaa", dir.Combine("a"), replace: false, default);
        await store.PublishAsync("p-train-bbbbbbbbbbbb", dir.Combine("b"), replace: false, default);

        await store.DeleteAsync("p-train-aaaaaaaaaaaa", default);
        await store.DeleteAsync("p-train-aaaaaaaaaaaa", default);

        Assert.Null(await store.FindAsync("p-train-aaaaaaaaaaaa", default));
        Assert.NotNull(await store.FindAsync("p-train-bbbbbbbbbbbb", default));
        Assert.Equal(["p-train-bbbbbbbbbbbb"], Directory.GetDirectories(dir.Combine("releases")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_output_that_does_not_match_its_manifest_is_never_published()
    {
        using var dir = new TempDirectory("store");
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        Manifests.Write(dir.Combine("out"), "train", Key);
        File.AppendAllText(dir.Combine("out", "sub", "notes.txt"), "tampered");

        await Assert.ThrowsAsync<InvalidDataException>(() => store.PublishAsync("t", dir.Combine("out"), false, default));

        Assert.Null(await store.FindAsync("t", default));
        Assert.Empty(Directory.Exists(dir.Combine("releases")) ? Directory.GetDirectories(dir.Combine("releases")) : []);
    }

    [Fact]
    public async Task Leftovers_of_a_killed_publish_are_invisible_and_removed_on_recovery()
    {
        using var dir = new TempDirectory("store");
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        Manifests.Write(dir.Combine("releases", ".staging-0123"), "train", Key); // a publish killed before its rename
        Manifests.Write(dir.Combine("out"), "train", Key);
        await store.PublishAsync("p-train-aaaaaaaaaaaa-partial-e001", dir.Combine("out"), false, default);

        Assert.Single(await store.ListAsync("p-train-", default));
        await store.RecoverAsync(default);

        Assert.False(Directory.Exists(dir.Combine("releases", ".staging-0123")));
        Assert.NotNull(await store.FindAsync("p-train-aaaaaaaaaaaa-partial-e001", default));
    }

    [Fact]
    public async Task Fetch_refuses_a_release_whose_files_were_changed_afterwards()
    {
        using var dir = new TempDirectory("store");
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        Manifests.Write(dir.Combine("out"), "train", Key);
        var release = await store.PublishAsync("t", dir.Combine("out"), false, default);
        var weights = dir.Combine("releases", "t", "model.safetensors");
        File.SetUnixFileMode(weights, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(weights, "corrupt");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.FetchAsync(release, default));
        Assert.Contains("model.safetensors", error.Message);
    }
}
