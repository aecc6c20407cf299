using Microsoft.Extensions.Time.Testing;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// Runs a pipeline's placement on fake time: every tick the platform advances to the clock, ended sessions are
/// credited (their checkpoints become the stages' progress) and the strategy places what is ready. The clock is a
/// <see cref="FakeTimeProvider"/> advanced one tick at a time; nothing sleeps. Resumable stages run in checkpoint units
/// (<see cref="CheckpointUnits"/>); the result is in epochs.
/// </summary>
public sealed class Simulator(SimulationOptions options)
{
    public SimulationOptions Options { get; } = options;

    public async Task<SimulationResult> RunAsync(SimulationSetup setup, Strategy strategy, CancellationToken cancellationToken = default)
    {
        var time = new FakeTimeProvider(setup.Start);
        var accounts = strategy == Strategy.OneAccount ? setup.Accounts.Take(1).ToList() : setup.Accounts.ToList();
        var scheduler = Options.Scheduler;
        var placer = new Placer(scheduler);
        var clash = setup.Clusters.FirstOrDefault(c => accounts.Any(a => a.Settings.Name == c.Name));
        if (clash is not null)
            throw new ArgumentException($"cluster '{clash.Name}' has the name of an account", nameof(setup));
        var unplaceable = setup.Stages.Select(placer.Unplaceable).FirstOrDefault(r => r is not null);
        if (unplaceable is not null)
            throw new UnplaceableStageException(unplaceable);

        var units = new CheckpointUnits(setup.Stages, Options.CheckpointsPerEpoch);
        var speeds = new RealisedSpeeds(setup.Stages, Options.Jitter, Options.Seed);
        var platform = new SimulatedPlatform(accounts, setup.Start, Options.RefreshPeriod, scheduler.SessionLimit,
            (stage, unit, estimate) => speeds.EpochTime(stage, unit / units.Of(stage), estimate * units.Of(stage)) / units.Of(stage),
            setup.Clusters.Select(c => c.Validate()));
        var tracker = new StageTracker(units.ToUnits(setup.Stages), units.ToUnits(setup.EpochsDone));
        var adopted = setup.Running.Select(units.ToUnits)
            .Select(s => (Id: platform.Adopt(s, tracker.Work(s.Stage).PerEpoch, scheduler.Startup), Session: s)).ToList();
        foreach (var (_, session) in adopted)
            tracker.Started(session.Stage);
        var settings = accounts.Select(a => a.Settings).ToList();
        ISimulationPolicy policy = strategy switch
        {
            Strategy.RoundRobinIgnoringQuota => new RoundRobinPolicy(settings, platform, scheduler),
            Strategy.Greedy => new GreedyPolicy(settings, platform, placer, adopted),
            _ => new SchedulerPolicy(settings, platform, placer, adopted, Options.Learning) { Clusters = setup.Clusters },
        };

        var horizon = setup.Start + Options.Horizon;
        while (!tracker.AllDone && time.GetUtcNow() <= horizon)
        {
            foreach (var ended in platform.AdvanceTo(time.GetUtcNow()))
            {
                tracker.Credit(ended);
                policy.Ended(ended);
            }
            if (tracker.AllDone)
                break;
            await policy.PlaceAsync(time.GetUtcNow(), tracker, cancellationToken);
            time.Advance(Options.Tick);
        }

        var finished = tracker.AllDone
            ? platform.History.Select(s => s.End).DefaultIfEmpty(setup.Start).Max()
            : (DateTimeOffset?)null;
        return new SimulationResult(strategy, accounts.Count, setup.Start, finished,
            platform.History.Concat(platform.StillRunning()).Select(units.ToEpochs).ToList(),
            new Dictionary<string, int>(units.ToEpochs(tracker.Done)),
            accounts.ToDictionary(a => a.Settings.Name, a => platform.MaxWeekUse(a.Settings.Name)),
            platform.MaxConcurrent, policy.Refusals);
    }
}
