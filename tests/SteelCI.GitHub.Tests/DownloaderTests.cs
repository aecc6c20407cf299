using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.GitHub.Tests;

public sealed class DownloaderTests
{
    private static async Task<(string Partial, string Complete, string Older)> PublishStageAsync(Harness h, IArtifactStore store)
    {
        var older = h.Output("older", contentKey: "aaaaaaaaaaaa0000", seed: 1);
        var partial = h.Output("partial", contentKey: "bbbbbbbbbbbb0000", status: OutputStatus.Partial, seed: 5);
        var complete = h.Output("complete", contentKey: "cccccccccccc0000", seed: 3);
        var otherStage = h.Output("other", stage: "seg-class10", contentKey: "dddddddddddd0000", seed: 9);
        foreach (var output in new[] { older, partial, complete, otherStage })
            await store.PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);
        return (partial, complete, older);
    }

    [Fact]
    public async Task A_stage_name_downloads_its_newest_complete_checkpoint_from_github()
    {
        await using var h = await Harness.StartAsync();
        var (_, complete, _) = await PublishStageAsync(h, h.Store());
        var target = Path.Combine(h.Root, "download", "model");

        var result = await new CheckpointDownloader(h.Store()).DownloadAsync("severstal", "seg-class1", target);

        Assert.Equal("severstal-seg-class1-cccccccccccc", result.Tag);
        Assert.Equal(Sha256.OfDirectory(complete), Sha256.OfDirectory(target));
        Assert.False(result.AlreadyPresent);
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(target)!, ".partial-*"));

        var again = await new CheckpointDownloader(h.Store()).DownloadAsync("severstal", "seg-class1", target);
        Assert.True(again.AlreadyPresent);
    }

    [Fact]
    public async Task A_tag_or_partial_checkpoints_can_be_asked_for()
    {
        await using var h = await Harness.StartAsync();
        var (partial, _, older) = await PublishStageAsync(h, h.Store());
        var downloader = new CheckpointDownloader(h.Store());

        var byTag = await downloader.DownloadAsync("severstal", Harness.TagOf(older), Path.Combine(h.Root, "d1"));
        var newest = await downloader.DownloadAsync("severstal", "seg-class1", Path.Combine(h.Root, "d2"), includePartial: true);

        Assert.Equal(Sha256.OfDirectory(older), Sha256.OfDirectory(byTag.Directory));
        Assert.Equal(Harness.TagOf(partial), newest.Tag);
        Assert.EndsWith("-partial-e002", newest.Tag);
    }

    [Fact]
    public async Task The_same_download_works_against_the_local_store()
    {
        await using var h = await Harness.StartAsync();
        var local = new LocalArtifactStore(Path.Combine(h.Root, "releases"), TimeProvider.System);
        var (_, complete, _) = await PublishStageAsync(h, local);
        var target = Path.Combine(h.Root, "download");

        var result = await new CheckpointDownloader(local).DownloadAsync("severstal", "seg-class1", target);

        Assert.Equal("severstal-seg-class1-cccccccccccc", result.Tag);
        Assert.Equal(Sha256.OfDirectory(complete), Sha256.OfDirectory(target));
    }

    [Fact]
    public async Task Unknown_stages_and_foreign_folders_are_refused_with_advice()
    {
        await using var h = await Harness.StartAsync();
        await PublishStageAsync(h, h.Store());
        var downloader = new CheckpointDownloader(h.Store());

        var unknown = await Assert.ThrowsAsync<GitHubStoreException>(() => downloader.DownloadAsync("severstal", "seg-class", Path.Combine(h.Root, "x")));
        Assert.Contains("has no release", unknown.Message);

        var occupied = Path.Combine(h.Root, "occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "notes.txt"), "mine");
        var refused = await Assert.ThrowsAsync<GitHubStoreException>(() => downloader.DownloadAsync("severstal", "seg-class1", occupied));
        Assert.Contains("choose another --output", refused.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(occupied, "notes.txt")));
    }

    [Fact]
    public async Task Only_partial_checkpoints_are_named_in_the_refusal()
    {
        await using var h = await Harness.StartAsync();
        var partial = h.Output("p", status: OutputStatus.Partial);
        await h.Store().PublishAsync(Harness.TagOf(partial), partial, false, CancellationToken.None);

        var error = await Assert.ThrowsAsync<GitHubStoreException>(() =>
            new CheckpointDownloader(h.Store()).DownloadAsync("severstal", "seg-class1", Path.Combine(h.Root, "x")));

        Assert.Contains(Harness.TagOf(partial), error.Message);
    }
}
