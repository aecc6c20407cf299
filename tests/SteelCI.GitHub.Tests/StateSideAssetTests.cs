using SteelCI.State;

namespace SteelCI.GitHub.Tests;

/// <summary>The Gantt chart beside the state (issue 14 item 6): one asset of that name, replaced each time, never taken for state.</summary>
public sealed class StateSideAssetTests
{
    [Fact]
    public async Task The_chart_replaces_its_older_self_and_the_state_still_loads()
    {
        await using var h = await Harness.StartAsync();
        using var transfers = GitHubArtifactStore.CreateTransferClient();
        var store = new GitHubStateStore(h.Options(), "severstal", transfers, h.Time);
        await using (await store.LockAsync(default))
            await store.SaveAsync(new RunState { Pipeline = "severstal", RunId = "r1" }, default);

        await store.ReplaceSideAssetAsync("gantt.png", [1, 2, 3], default);
        var url = await store.ReplaceSideAssetAsync("gantt.png", [4, 5, 6, 7], default);

        var release = Assert.Single(h.Server.State.Releases(Harness.Owner, Harness.Repo), r => r.Tag == "steelci-state-severstal");
        var chart = Assert.Single(release.Assets, a => a.Name == "gantt.png");
        Assert.Equal([4, 5, 6, 7], h.Server.State.AssetBytes(chart.Id));
        Assert.EndsWith("/releases/download/steelci-state-severstal/gantt.png", url);
        Assert.Equal("r1", (await new GitHubStateStore(h.Options(), "severstal", transfers, h.Time).LoadAsync(default))!.RunId);
    }

    [Theory]
    [InlineData("state-000001-0a1b2c3d-0123456789abcdef.json")]
    [InlineData("lock-1700000000-host.json")]
    public async Task A_state_or_lease_name_is_refused(string name)
    {
        await using var h = await Harness.StartAsync();
        using var transfers = GitHubArtifactStore.CreateTransferClient();
        var store = new GitHubStateStore(h.Options(), "severstal", transfers, h.Time);

        await Assert.ThrowsAsync<ArgumentException>(() => store.ReplaceSideAssetAsync(name, [1], default));
    }
}
