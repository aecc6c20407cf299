using Microsoft.Extensions.Time.Testing;
using SteelCI.Contracts;
using SteelCI.Local;
using SteelCI.Running;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Simulation;
using SteelCI.Scheduling.Ticking;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;
using Xunit.Abstractions;

namespace SteelCI.Scheduling.Tests.Ticking;

/// <summary>
/// Issue 6's chaos run: the Severstal plan driven only by <see cref="PipelineRunner.TickAsync"/> every 15 minutes of
/// fake time against a Kaggle-like fake, with the scheduler placing accounts and chunks, while the tick process is
/// "killed" at every point where state is persisted (before and after the write), ticks are skipped (single ones and
/// gaps of hours), two ticks run at once, and some trainers hang until the platform's timeout ends their session. The
/// platform has production's powers only (stop forgets; recovery finds a kernel by its slug). It must finish with no
/// finished work lost and no chunk pushed twice. Real SIGKILLs of the steelci process are covered by the end-to-end kill
/// -9 test.
/// </summary>
public sealed class ChaosTickTests(ITestOutputHelper output) : IDisposable
{
    public const string SeverstalYaml = """
        version: 1
        name: severstal
        trainer: { project: t.csproj }
        session_minutes: 720
        datasets:
          severstal: { generate: { entry: synthesize } }
        stages:
          binary: { entry: binary, inputs: [severstal], accelerator: gpu, resumable: true, budget: { epochs: 20, minutes_per_epoch: 9.6 } }
          multilabel: { entry: multilabel, inputs: [severstal], accelerator: gpu, resumable: true, budget: { epochs: 20, minutes_per_epoch: 4.8 } }
          seg1: { entry: segment, inputs: [severstal], accelerator: gpu, resumable: true, budget: { epochs: 25, minutes_per_epoch: 40 } }
          seg2: { entry: segment, inputs: [severstal], accelerator: gpu, resumable: true, budget: { epochs: 25, minutes_per_epoch: 40 } }
          seg3: { entry: segment, inputs: [severstal], accelerator: gpu, resumable: true, budget: { epochs: 25, minutes_per_epoch: 40 } }
          seg4: { entry: segment, inputs: [severstal], accelerator: gpu, resumable: true, budget: { epochs: 25, minutes_per_epoch: 40 } }
          submission: { entry: submit, inputs: [severstal, binary, multilabel, seg1, seg2, seg3, seg4], accelerator: gpu, budget: { epochs: 1, minutes_per_epoch: 30 } }
        """;

    private readonly TempDirectory _dir = new("chaos");

    public void Dispose() => _dir.Dispose();

    public sealed record ChaosFigures(int Crashes, int TicksRun, int TicksSkipped, int ConcurrentRefused, int Sessions,
        int Duplicates, int LostFinished, int WatchdogStops, int LostToTimeout, TimeSpan LostWork, TimeSpan Makespan);

    [Theory]
    [InlineData(2, 7)]
    [InlineData(3, 12)]
    public async Task A_week_of_ticks_with_crashes_at_every_save_skipped_and_concurrent_ticks_loses_and_duplicates_nothing(int accounts, int seed)
    {
        var figures = await RunAsync(accounts, seed);

        Assert.True(figures.Crashes >= 100, $"only {figures.Crashes} crashes were injected");
        Assert.True(figures.ConcurrentRefused >= 1, "no tick was ever refused by a concurrent one");
        Assert.Equal(0, figures.Duplicates);
        Assert.Equal(0, figures.LostFinished);
    }

    private static bool RunContextDone(StageStatus status) => status is StageStatus.Complete or StageStatus.Reused;

    private async Task<ChaosFigures> RunAsync(int accountCount, int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(SeverstalPlan.Start);
        var specPath = _dir.Combine("steelci.yml");
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(SeverstalYaml, specPath), specPath, new PipelineOptions());
        var names = Enumerable.Range(1, accountCount).Select(i => $"account{i}").ToList();
        var platform = new FakeKagglePlatform(_dir.Combine("platform"), time, names, pipeline, seed, hangProbability: 0.05);
        var fileStore = new FileStateStore(_dir.Combine("state"));
        CrashingStateStore? store = null;
        // Every save may be the last: often at sites not yet crashed in both ways, else one save in ten.
        store = new CrashingStateStore(fileStore, site =>
            random.NextDouble() < (store!.Crashes.Keys.Count(k => k.StartsWith(site)) < 2 ? 0.5 : 1.0 / 10), random);
        var releases = new LocalArtifactStore(_dir.Combine("releases"), time);
        var reporter = new SilentReporter();
        var policy = new ScheduledPlacementPolicy(new AccountPool(names.Select(AccountSettings.Default).ToList(), platform),
            new Placer(new SchedulerOptions()));
        var options = new RunnerOptions(TimeSpan.Zero, "0.1.0", null);
        PipelineRunner Runner() => new(platform, releases, store, platform, reporter, time, options, policy);
        var tick = new RunRequest(RetryFailed: false);

        int crashes = 0, ticksRun = 0, skipped = 0, refused = 0, gapTicks = 0;
        RunSummary? last = null;
        DateTimeOffset? finished = null;
        async Task<RunSummary?> TickAsync()
        {
            try
            {
                return await Runner().TickAsync(pipeline, tick, default);
            }
            catch (SimulatedCrash)
            {
                crashes++;
                return null;
            }
            catch (RunLockedException)
            {
                refused++;
                return null;
            }
        }

        var start = time.GetUtcNow();
        while (time.GetUtcNow() - start < TimeSpan.FromDays(21) && (finished is null || time.GetUtcNow() - start < TimeSpan.FromDays(7)))
        {
            time.Advance(TimeSpan.FromMinutes(15));
            if (gapTicks > 0)
            {
                gapTicks--;
                skipped++;
                continue;
            }
            var roll = random.NextDouble();
            if (roll < 0.08)
            {
                skipped++;
                continue;
            }
            if (roll < 0.085)
            {
                gapTicks = random.Next(8, 25); // the schedule dropped for 2 to 6 hours
                skipped++;
                continue;
            }
            RunSummary? summary;
            if (roll < 0.135)
            {
                var both = await Task.WhenAll(TickAsync(), TickAsync()); // the second fails fast on the lock, or runs after
                summary = both.LastOrDefault(s => s is not null);
                ticksRun += 2;
            }
            else
            {
                summary = await TickAsync();
                ticksRun++;
            }
            last = summary ?? last;
            if (summary?.Succeeded == true)
                finished ??= time.GetUtcNow();
        }

        var state = (await fileStore.LoadAsync(default))!;
        Assert.True(finished is not null, "not finished in 21 days: " + string.Join("; ", state.Stages.Select(s =>
            $"{s.Key} {s.Value.Status} {s.Value.Error} [{string.Join(", ", s.Value.Attempts.Select(a => $"{a.State} {a.Error}"))}]")));
        Assert.All(state.Stages.Values, s => Assert.True(RunContextDone(s.Status), $"{s.Status}"));

        // No chunk pushed twice: per stage, sessions never overlap, each starts where the last published one ended,
        // and a chunk is repeated only after the platform's timeout ended the hung session that ran it.
        var duplicates = 0;
        var lostFinished = 0;
        foreach (var group in platform.Sessions.GroupBy(s => s.Stage))
        {
            var sessions = group.OrderBy(s => s.Start).ToList();
            var expectedFrom = 0;
            for (var i = 0; i < sessions.Count; i++)
            {
                var s = sessions[i];
                if (i > 0 && (sessions[i - 1].Ended is null || sessions[i - 1].Ended > s.Start))
                    duplicates++; // two sessions of one stage at once
                if (s.FromEpoch != expectedFrom)
                    duplicates++; // did not resume from the last published checkpoint
                if (s.EndReason is "complete" or "partial")
                {
                    expectedFrom = s.EpochsAtEnd;
                    var tag = s.EndReason == "complete"
                        ? ReleaseTag.Complete(pipeline.Name, s.Stage, state.Stages[s.Stage].ContentKey).ToString()
                        : ReleaseTag.Partial(pipeline.Name, s.Stage, state.Stages[s.Stage].ContentKey, s.EpochsAtEnd).ToString();
                    if (await releases.FindAsync(tag, default) is null)
                        lostFinished++; // a session's finished epochs were never published
                }
                else
                    Assert.True(s.Hangs && s.EndReason == "limit", $"{s.Slug}: ended by {s.EndReason}"); // no cut-off, no quota stop
            }
            Assert.Equal(sessions[^1].EpochsTotal, sessions[^1].EpochsAtEnd);
        }
        var hung = platform.Sessions.Count(s => s.Hangs);
        Assert.True(hung >= 1, "no trainer hung");
        Assert.Equal(hung, platform.Sessions.Count(s => s.EndReason == "limit"));
        Assert.All(platform.WeeklyUse(), use => Assert.True(use.Value <= platform.WeeklyQuota, $"{use.Key} used {use.Value}"));
        Assert.Empty(platform.Refusals);
        // The platform refuses a third GPU session on an account and a push with no quota left: none was refused.

        // The platform's timeout ends a hung session before the watchdog's margin runs out, so the runner reads it as
        // lost (and retries from the last checkpoint) and never needs to stop one; a stop would only forget it.
        var stops = state.Stages.Values.SelectMany(s => s.Attempts).Count(a => a.Error?.StartsWith("watchdog:") == true);
        var lostToTimeout = state.Stages.Values.SelectMany(s => s.Attempts).Count(a => a.Error?.Contains("ended at its timeout") == true);
        var loss = platform.Sessions.Where(s => s.EndReason == "limit").Aggregate(TimeSpan.Zero, (sum, s) => sum + (s.Ended!.Value - s.Start));
        Assert.Equal(0, stops);
        Assert.Equal(hung, lostToTimeout);
        Assert.DoesNotContain(platform.Sessions, s => s.Forgotten);
        var figures = new ChaosFigures(crashes, ticksRun, skipped, refused, platform.Sessions.Count, duplicates, lostFinished,
            stops, lostToTimeout, loss, finished!.Value - start);
        output.WriteLine($"{accountCount} accounts, seed {seed}: {figures}");
        output.WriteLine($"saves {store.Saves}; crashes by site: {string.Join("; ", store.Crashes.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}");
        Assert.Equal(10, store.Crashes.Count); // 5 sites x before/after the write
        return figures;
    }
}
