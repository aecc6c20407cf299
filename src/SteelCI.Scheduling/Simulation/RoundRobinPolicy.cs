using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// The naive baseline: stage i belongs to account i mod n; whenever it is ready and idle, a session that trains it
/// until the longest window is pushed there, quota ignored. The platform refuses pushes without quota and stops sessions
/// that run out of it (their files lost); the stage retries every tick.
/// </summary>
internal sealed class RoundRobinPolicy(IReadOnlyList<AccountSettings> accounts, SimulatedPlatform platform, SchedulerOptions options) : ISimulationPolicy
{
    public List<string> Refusals { get; } = new();

    public void Ended(SimulatedSession session)
    {
    }

    public Task PlaceAsync(DateTimeOffset now, StageTracker stages, CancellationToken cancellationToken)
    {
        var views = stages.Views();
        for (var i = 0; i < views.Count; i++)
        {
            var stage = views[i];
            if (stage.Done || stage.Running || !stage.Work.After.All(a => views.Any(v => v.Work.Name == a && v.Done)))
                continue;
            var epochs = stage.Remaining;
            var account = accounts[i % accounts.Count].Name;
            var refusal = platform.TryStart(account, stage.Work.Name, stage.EpochsDone, epochs, stage.Work.PerEpoch, options.Startup,
                now + options.MaxWindow, out _);
            if (refusal is null)
                stages.Started(stage.Work.Name);
        }
        return Task.CompletedTask;
    }
}
