using Microsoft.Extensions.Time.Testing;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;
using SteelCI.State;
using static SteelCI.Cli.Tests.Harness;

namespace SteelCI.Cli.Tests;

/// <summary>
/// steelci.yml's compute.kaggle accounts reach the one placement policy that `run` and `tick` compose
/// (<see cref="RunnerComposition"/> → <see cref="KaggleScheduler"/>): the owner's reserve and the session cap per account,
/// against the loopback Kaggle fake's quota, on fake time.
/// </summary>
public sealed class KaggleAccountsTests : IDisposable
{
    private readonly Harness _h = new();

    public void Dispose() => _h.Dispose();

    private string WritePipeline(string accounts)
    {
        _h.Dir.Write("team/trainer/Team.Trainer.csproj", "<Project />");
        return _h.Dir.Write("team/steelci.yml", $$"""
            version: 1
            name: team
            trainer:
              project: trainer/Team.Trainer.csproj
            backend: kaggle
            compute:
              kaggle:
                sessions_per_account: 1
                accounts:
            {{accounts}}
            stages:
              seg1: { entry: segment, accelerator: gpu, budget: { epochs: 4, minutes_per_epoch: 30 } }
              seg2: { entry: segment, accelerator: gpu, budget: { epochs: 4, minutes_per_epoch: 30 } }
            """);
    }

    /// <summary>The decisions of the placement `steelci run --backend kaggle` composes for this pipeline, both stages ready.</summary>
    private async Task<IReadOnlyList<PlacementDecision>> RunPlacementAsync(string specPath, FakeKaggleServer fake, FakeTimeProvider time)
    {
        var arguments = new RunArguments(specPath, _h.WorkspaceRoot, null, [], null, null,
            new KaggleRunOptions.Values(null, [], fake.BaseUrl.ToString(), 1));
        var pipeline = arguments.LoadPipeline();
        using var composition = await _h.Services(time).RunnerAsync(pipeline, arguments.Workspace, null, arguments.Backend, TimeSpan.FromSeconds(1), default);
        var state = new RunState { Pipeline = "team", RunId = "r", StartedUtc = time.GetUtcNow() };
        var ready = pipeline.Nodes.Select(n => new PlacementCandidate(n, 0)).ToList();
        return await composition.Placement!.PlaceAsync(new PlacementRequest(time.GetUtcNow(), pipeline, state, ready, composition.Backend.Slots), default);
    }

    private static async Task<FakeKaggleServer> FakeAsync(FakeTimeProvider time, params string[] users)
    {
        var fake = await FakeKaggleServer.StartAsync(new FakeKaggleOptions { Time = time }, default);
        foreach (var user in users)
        {
            fake.State.AddUser(user, $"KGAT_{user}_0123456789");
            Environment.SetEnvironmentVariable($"KAGGLE_API_TOKEN_{user.ToUpperInvariant()}", $"KGAT_{user}_0123456789");
        }
        return fake;
    }

    [Fact]
    public async Task Run_leaves_an_account_alone_whose_owner_keeps_its_hours_and_uses_every_other()
    {
        var time = new FakeTimeProvider(Start);
        await using var fake = await FakeAsync(time, "rsvalice", "rsvbob");

        var free = await RunPlacementAsync(WritePipeline("      - rsvalice\n      - rsvbob"), fake, time);
        Assert.Equal(["rsvalice", "rsvbob"], free.Select(d => d.Account).Order()); // one session each: both accounts work

        var reserved = await RunPlacementAsync(WritePipeline("      - { name: rsvalice, reserve_hours: 29.9 }\n      - rsvbob"), fake, time);
        Assert.Equal(["rsvbob"], reserved.Select(d => d.Account)); // 0.1 h above the reserve is no chunk: seg2 waits
    }

    [Fact]
    public async Task Run_with_no_account_above_its_reserve_ends_saying_which_stages_are_pending_and_why_without_failing()
    {
        var time = new FakeTimeProvider(Start);
        await using var fake = await FakeAsync(time, "fullalice", "fullbob");
        _h.Dir.Write("team/trainer/Team.Trainer.csproj", "<Project />");
        var spec = _h.Dir.Write("team/steelci.yml", """
            version: 1
            name: team
            trainer:
              project: trainer/Team.Trainer.csproj
            backend: kaggle
            compute:
              kaggle:
                accounts: [{ name: fullalice, reserve_hours: 29.9 }, { name: fullbob, reserve_hours: 29.9 }]
            stages:
              seg1: { entry: segment, accelerator: gpu, budget: { epochs: 4, minutes_per_epoch: 30 } }
              probe: { entry: probe, accelerator: gpu }
            """);
        // A pinned bundle: the stages are keyed without building the (empty) trainer, and nothing here needs the bundle.
        var pinned = new RunState { Pipeline = "team", RunId = "r0", StartedUtc = Start, UpdatedUtc = Start, TrainerPin = new string('c', 64) };
        await _h.SaveAsync(pinned);

        var code = await RunCommand.Create(_h.Services(time))
            .Parse([spec, "--workspace", _h.WorkspaceRoot, "--kaggle-url", fake.BaseUrl.ToString()]).InvokeAsync();

        Assert.True(code == 0, _h.Output);
        Assert.Contains("pending: seg1: its next chunk does not fit what the accounts can spend above their reserves now (fullalice 0.1 h above its reserve", _h.Output);
        Assert.Contains("pending: probe: its next chunk does not fit", _h.Output); // no budget: minutes_per_epoch 1, still kept out of the reserve // not planned, still kept out of the reserve
        Assert.Contains("2 stage(s) pending and nothing can start now", _h.Output);
        Assert.Equal(0, fake.State.ActiveSessions("fullalice") + fake.State.ActiveSessions("fullbob"));
    }

    [Fact]
    public async Task Run_skips_a_disabled_account_and_gives_an_account_the_sessions_it_names()
    {
        var time = new FakeTimeProvider(Start);
        await using var fake = await FakeAsync(time, "dsalice", "dsbob");

        var decisions = await RunPlacementAsync(WritePipeline("      - { name: dsalice, enabled: false }\n      - { name: dsbob, sessions: 2 }"), fake, time);

        Assert.Equal(["dsbob", "dsbob"], decisions.Select(d => d.Account));
    }

    [Fact]
    public void The_command_line_wins_over_the_environment_and_the_environment_over_the_file_whose_settings_still_apply()
    {
        var file = SteelCI.Spec.SpecLoader.Parse("""
            version: 1
            name: team
            trainer: { project: t.csproj }
            compute:
              kaggle:
                accounts: [alice, { name: bob, reserve_hours: 4, sessions: 1, enabled: false }]
            stages: { eda: { entry: eda } }
            """, "/steelci.yml").Compute.Kaggle;
        Func<string, string?> env = name => name switch { "STEELCI_KAGGLE_ACCOUNTS" => "bob,carol", "STEELCI_KAGGLE_RESERVE_HOURS" => "2", _ => null };

        var fromFile = KaggleAccounts.Resolve(file, [], _ => null);
        var fromEnvironment = KaggleAccounts.Resolve(file, [], env);
        var fromCommandLine = KaggleAccounts.Resolve(file, ["alice"], env);

        Assert.Equal("compute.kaggle.accounts", fromFile.Source);
        Assert.Equal(["alice", "bob"], fromFile.Accounts.Select(a => a.Name));
        Assert.Equal(["alice"], fromFile.Enabled.Select(a => a.Name));
        Assert.Equal(new KaggleAccounts.Account("bob", 4, 1, false), fromEnvironment.Accounts[0]); // the file's settings for a named account
        Assert.Equal(new KaggleAccounts.Account("carol", 2, 2, true), fromEnvironment.Accounts[1]); // defaults, the variable's reserve
        Assert.Equal(("--account", "alice", 2.0), (fromCommandLine.Source, fromCommandLine.Accounts.Single().Name, fromCommandLine.Accounts[0].ReserveHours));
        Assert.Equal("KAGGLE_API_TOKEN_BOB", fromEnvironment.Accounts[0].Secret);
        Assert.Equal(["default"], KaggleAccounts.Resolve(null, [], _ => null).Accounts.Select(a => a.Name));
    }

    [Fact]
    public async Task Status_shows_the_sessions_a_refused_push_saw_as_the_owners()
    {
        await using var fake = await FakeAsync(new FakeTimeProvider(Start), "ownacct");
        var state = NewState(("seg1", StageStatus.Pending, []));
        state.OwnerSessions["ownacct"] = new OwnerUse { Sessions = 2, SeenUtc = Start };
        await _h.SaveAsync(state);
        var kaggle = new KaggleRunOptions.Values("kaggle", ["ownacct"], fake.BaseUrl.ToString(), null);

        var code = await StatusCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, false, kaggle, _h.Services(new FakeTimeProvider(Start)), default);

        Assert.Equal(0, code);
        Assert.Contains("ownacct: 30 h GPU left of 30 h (reserve 0 h), 0 session(s) in use by SteelCI", _h.Output);
        Assert.Contains("; 2 session(s) the owner's (a push was refused at Kaggle's cap 2026-11-25 10:00:00Z; retried later)", _h.Output);
    }
}
