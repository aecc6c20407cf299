using SteelCI.GitHub.Fake;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.GitHub.Tests;

/// <summary>GitHubStateStore against the loopback fake with real Octokit, on fake time.</summary>
public sealed class StateStoreTests
{
    private const string Tag = "steelci-state-severstal";

    private static GitHubStateStore State(Harness h, string holder = "tick-a", HttpClient? transfers = null, int keep = 20) =>
        new(h.Options(), "severstal", transfers ?? GitHubArtifactStore.CreateTransferClient(), h.Time,
            new GitHubStateOptions { Holder = holder, Keep = keep });

    private static RunState Run(string runId, string stage = "seg1", StageStatus status = StageStatus.Running) => new()
    {
        Pipeline = "severstal",
        RunId = runId,
        Stages = { [stage] = new StageState { ContentKey = "0123456789ab", Status = status } },
    };

    private static FakeRelease StateRelease(Harness h) => Assert.Single(h.Releases(), r => r.Tag == Tag);

    private static List<FakeAsset> StateAssets(Harness h) => StateRelease(h).Assets.Where(a => a.Name.StartsWith("state-", StringComparison.Ordinal)).ToList();

    private static List<FakeAsset> LeaseAssets(Harness h) => StateRelease(h).Assets.Where(a => a.Name.StartsWith("lock-", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Saves_go_to_new_assets_of_one_draft_release_and_the_newest_loads_back()
    {
        await using var h = await Harness.StartAsync();
        var store = State(h);
        await using (await store.LockAsync(CancellationToken.None))
        {
            Assert.Null(await store.LoadAsync(CancellationToken.None));
            await store.SaveAsync(Run("r1"), CancellationToken.None);
            await store.SaveAsync(Run("r2", status: StageStatus.Complete), CancellationToken.None);
            Assert.Single(LeaseAssets(h));
        }

        var release = StateRelease(h);
        Assert.True(release.Draft);
        Assert.Empty(LeaseAssets(h)); // released on dispose
        var names = StateAssets(h).Select(a => a.Name).ToList();
        Assert.Equal(2, names.Count);
        Assert.Matches(@"^state-000001-[0-9a-f]{8}-[0-9a-f]{16}\.json$", names[0]);
        Assert.StartsWith("state-000002-", names[1]);
        Assert.Equal(2, h.Requests("POST", "/api/uploads/") - 1); // two states + one lease, nothing overwritten
        Assert.Equal(0, h.Requests("PATCH", "/releases/assets/"));

        var loaded = await State(h, "tick-b").LoadAsync(CancellationToken.None);
        Assert.NotNull(loaded);
        Assert.Equal("r2", loaded.RunId);
        Assert.Equal(StageStatus.Complete, loaded.Stages["seg1"].Status);
        Assert.All(h.Log, line => Assert.DoesNotContain(Harness.Token, line));

        // The artifact store ignores the state release: not listed, never recovered away as a stale draft.
        h.Time.Advance(TimeSpan.FromDays(3));
        await h.Store().RecoverAsync(CancellationToken.None);
        Assert.Empty(await h.Store().ListAsync("steelci-state", CancellationToken.None));
        Assert.Equal("r2", (await State(h, "tick-c").LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task A_kill_mid_upload_leaves_the_previous_state_loadable_and_the_next_save_cleans_up()
    {
        await using var h = await Harness.StartAsync();
        await State(h).SaveAsync(Run("r1"), CancellationToken.None);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.State.UploadStarted += asset => { if (asset.Name.StartsWith("state-000002", StringComparison.Ordinal)) started.TrySetResult(); };
        var kill = new KillSwitch((request, _) => request.Method == HttpMethod.Post && request.RequestUri!.Query.Contains("state-"), () => started.Task);

        var dying = State(h, "tick-dies", transfers: new HttpClient(kill));
        await dying.LoadAsync(CancellationToken.None);
        await Assert.ThrowsAsync<ProcessKilled>(() => dying.SaveAsync(Run("r2"), CancellationToken.None));
        await h.Server.WhenIdle();
        var half = Assert.Single(StateAssets(h), a => a.Name.StartsWith("state-000002", StringComparison.Ordinal));
        Assert.Equal("starter", half.State);

        var next = State(h, "tick-b");
        Assert.Equal("r1", (await next.LoadAsync(CancellationToken.None))!.RunId);
        await next.SaveAsync(Run("r3"), CancellationToken.None);

        Assert.Equal(["state-000001", "state-000003"], StateAssets(h).Select(a => a.Name[..12]).Order().ToList()); // the dead one pruned
        Assert.Equal("r3", (await State(h, "tick-c").LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task Of_two_ticks_locking_at_once_exactly_one_gets_the_lease_and_the_other_is_refused()
    {
        await using var h = await Harness.StartAsync();
        await State(h).SaveAsync(Run("r0"), CancellationToken.None); // the release exists, as after the first tick
        var a = State(h, "tick-a");
        var b = State(h, "tick-b");

        var tries = await Task.WhenAll(new[] { a, b }.Select(async s =>
        {
            try
            {
                return (Store: s, Lock: await s.LockAsync(CancellationToken.None), Error: (StateLockedException?)null);
            }
            catch (StateLockedException error)
            {
                return (Store: s, Lock: (IAsyncDisposable?)null, Error: error);
            }
        }));

        var winner = Assert.Single(tries, t => t.Lock is not null);
        var loser = Assert.Single(tries, t => t.Error is not null);
        Assert.Contains("another steelci tick of this pipeline holds the state lease", loser.Error!.Message);
        Assert.Single(LeaseAssets(h)); // the loser withdrew its lease
        // Later the same tick is refused fast, without uploading a lease.
        var uploads = h.Requests("POST", "/api/uploads/");
        await Assert.ThrowsAsync<StateLockedException>(() => State(h, "tick-c").LockAsync(CancellationToken.None));
        Assert.Equal(uploads, h.Requests("POST", "/api/uploads/"));

        await winner.Store.SaveAsync(Run("r1"), CancellationToken.None);
        await winner.Lock!.DisposeAsync();
        await using (await loser.Store.LockAsync(CancellationToken.None))
        {
            Assert.Equal("r1", (await loser.Store.LoadAsync(CancellationToken.None))!.RunId);
            await loser.Store.SaveAsync(Run("r2"), CancellationToken.None);
        }
        Assert.Equal("r2", (await State(h, "tick-d").LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task The_first_tick_of_a_repository_creates_one_state_release_even_when_two_start_together()
    {
        await using var h = await Harness.StartAsync();
        var results = await Task.WhenAll(new[] { "tick-a", "tick-b" }.Select(async holder =>
        {
            try
            {
                await (await State(h, holder).LockAsync(CancellationToken.None)).DisposeAsync();
                return true;
            }
            catch (StateLockedException)
            {
                return false;
            }
        }));
        Assert.Contains(true, results);
        // Both may have created a draft; both then use the one GitHub created first, and a save lands there.
        var first = h.Releases().Where(r => r.Tag == Tag).MinBy(r => r.Id)!;
        await State(h, "tick-c").SaveAsync(Run("r1"), CancellationToken.None);
        Assert.Single(first.Assets, a => a.Name.StartsWith("state-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_killed_ticks_lease_expires_and_is_taken_over_and_the_old_holder_can_no_longer_save()
    {
        await using var h = await Harness.StartAsync();
        var killed = State(h, "tick-killed");
        await killed.LockAsync(CancellationToken.None); // never disposed: the process died
        await killed.SaveAsync(Run("r1"), CancellationToken.None);

        h.Time.Advance(TimeSpan.FromMinutes(30));
        await Assert.ThrowsAsync<StateLockedException>(() => State(h, "tick-b").LockAsync(CancellationToken.None));

        h.Time.Advance(TimeSpan.FromMinutes(46)); // 76 min: past the 75 min lease
        var next = State(h, "tick-c");
        await using (await next.LockAsync(CancellationToken.None))
        {
            var lease = Assert.Single(LeaseAssets(h)); // the expired lease was deleted
            Assert.Contains("tick-c", lease.Name);
            Assert.Equal("r1", (await next.LoadAsync(CancellationToken.None))!.RunId);
            await next.SaveAsync(Run("r2"), CancellationToken.None);

            var error = await Assert.ThrowsAsync<StateLockedException>(() => killed.SaveAsync(Run("stale"), CancellationToken.None));
            Assert.Contains("expired or was removed", error.Message);
        }
        Assert.Equal("r2", (await State(h, "tick-d").LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task Saves_renew_the_lease_so_a_long_tick_keeps_it()
    {
        await using var h = await Harness.StartAsync();
        var store = State(h, "tick-long");
        await using var held = await store.LockAsync(CancellationToken.None);
        var before = Assert.Single(LeaseAssets(h));
        var (beforeId, beforeName) = (before.Id, before.Name); // the fake's asset object is renamed in place

        h.Time.Advance(TimeSpan.FromMinutes(50)); // less than half of 75 min left: the save renames the lease
        await store.SaveAsync(Run("r1"), CancellationToken.None);
        var after = Assert.Single(LeaseAssets(h));
        Assert.Equal(beforeId, after.Id); // same asset (its place in the queue), later expiry in its name
        Assert.NotEqual(beforeName, after.Name);

        h.Time.Advance(TimeSpan.FromMinutes(50)); // 100 min after taking it, still held
        await Assert.ThrowsAsync<StateLockedException>(() => State(h, "tick-b").LockAsync(CancellationToken.None));
        await store.SaveAsync(Run("r2"), CancellationToken.None);
    }

    [Fact]
    public async Task With_background_renewal_a_run_that_saves_nothing_for_hours_keeps_its_lease()
    {
        await using var h = await Harness.StartAsync();
        var store = new GitHubStateStore(h.Options(), "severstal", GitHubArtifactStore.CreateTransferClient(), h.Time,
            new GitHubStateOptions { Holder = "run-long", RenewEvery = TimeSpan.FromMinutes(20) });
        var held = await store.LockAsync(CancellationToken.None);
        var names = new HashSet<string> { Assert.Single(LeaseAssets(h)).Name };
        // Two hours without a save, a minute at a time. The loop arms its next timer only after a renewal's requests:
        // waiting until it is armed again is waiting until the renewal (if one was due) is done.
        await h.Time.WhenArmedAsync();
        for (var minute = 0; minute < 120; minute++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.Time.WhenArmedAsync();
            await h.Server.WhenIdle();
            names.Add(Assert.Single(LeaseAssets(h)).Name);
        }
        Assert.Equal(1 + 120 / 20, names.Count); // the first lease and one renewal every 20 minutes
        await Assert.ThrowsAsync<StateLockedException>(() => State(h, "tick-b").LockAsync(CancellationToken.None));
        await store.SaveAsync(Run("r1"), CancellationToken.None);
        await held.DisposeAsync();
        Assert.Empty(LeaseAssets(h));
    }

    [Fact]
    public async Task A_save_after_another_writer_saved_fails_it_lost_the_race()
    {
        await using var h = await Harness.StartAsync();
        await State(h).SaveAsync(Run("r1"), CancellationToken.None);
        var a = State(h, "tick-a");
        var b = State(h, "tick-b");
        await a.LoadAsync(CancellationToken.None);
        await b.LoadAsync(CancellationToken.None);

        await a.SaveAsync(Run("from-a"), CancellationToken.None);
        var error = await Assert.ThrowsAsync<StateLockedException>(() => b.SaveAsync(Run("from-b"), CancellationToken.None));
        Assert.Contains("lost the race", error.Message);

        Assert.Equal("from-a", (await State(h, "tick-c").LoadAsync(CancellationToken.None))!.RunId);
        Assert.Equal(2, StateAssets(h).Count);
    }

    [Fact]
    public async Task Old_states_are_pruned_to_the_newest_few()
    {
        await using var h = await Harness.StartAsync();
        var store = State(h, keep: 5);
        await using (await store.LockAsync(CancellationToken.None))
            for (var i = 1; i <= 12; i++)
                await store.SaveAsync(Run($"r{i}"), CancellationToken.None);

        var names = StateAssets(h).Select(a => a.Name[..12]).Order().ToList();
        Assert.Equal(["state-000008", "state-000009", "state-000010", "state-000011", "state-000012"], names);
        Assert.Equal("r12", (await State(h, "tick-b").LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task A_corrupt_or_unparsable_newest_state_is_skipped_for_the_one_before()
    {
        await using var h = await Harness.StartAsync();
        var store = State(h);
        await store.SaveAsync(Run("r1"), CancellationToken.None);
        await store.SaveAsync(Run("r2"), CancellationToken.None);
        var newest = StateAssets(h).MaxBy(a => a.Name)!;
        h.Server.State.CorruptAsset(newest.Id, 20); // bit rot at rest: same size, wrong bytes

        Assert.Equal("r1", (await State(h, "tick-b").LoadAsync(CancellationToken.None))!.RunId);
        Assert.Contains(h.Log, line => line.Contains("do not match the sha256", StringComparison.Ordinal));

        // Bytes that hash right but are not a state (hand-uploaded, another format) are skipped too.
        var garbage = "{\"format\":\"someone.else/9\"}"u8.ToArray();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(garbage))[..16];
        using (var http = new HttpClient())
        {
            var release = StateRelease(h);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(h.Server.BaseUri, $"api/uploads/repos/{Harness.Owner}/{Harness.Repo}/releases/{release.Id}/assets?name=state-000009-00000000-{hash}.json"));
            request.Headers.Authorization = new("Bearer", Harness.Token);
            request.Content = new ByteArrayContent(garbage);
            request.Content.Headers.ContentType = new("application/octet-stream");
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }
        var next = State(h, "tick-c");
        Assert.Equal("r1", (await next.LoadAsync(CancellationToken.None))!.RunId);
        await next.SaveAsync(Run("r10"), CancellationToken.None); // continues above every sequence seen
        Assert.Contains(StateAssets(h), a => a.Name.StartsWith("state-000010-", StringComparison.Ordinal));
        Assert.Equal("r10", (await State(h, "tick-d").LoadAsync(CancellationToken.None))!.RunId);
    }
}
