using SteelCI.Scheduling.Simulation;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// What ran beside what is still planned (issue 14 item 6): the recorded attempts up to now, then the forecast of the
/// work not yet done (`steelci plan`'s scheduler run forward from now on the given accounts, with the epoch times the
/// state measured). Stages done are not planned again; a stage still running is planned again from its start.
/// </summary>
public static class ActualAndForecastChart
{
    public static async Task<(SimulationResult Chart, DateTimeOffset Now, int Planned)?> BuildAsync(RunState? state, Spec.Pipeline pipeline,
        IReadOnlyList<Scheduling.Accounts.AccountSettings> accounts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ActualChart.From(state, now) is not { } happened)
            return null;
        var options = new SimulationOptions();
        var names = pipeline.Nodes.Select(n => n.Name).ToList();
        var speeds = Scheduling.Estimates.MeasuredSpeeds.From(state, options.Scheduler.Startup);
        var stages = pipeline.Nodes.Select(n => speeds.Apply(Scheduling.Placement.StageWork.Of(n, names))).ToList();
        var done = pipeline.Nodes
            .Where(n => state!.Stages.GetValueOrDefault(n.Name) is { Status: StageStatus.Complete or StageStatus.Reused })
            .ToDictionary(n => n.Name, n => n.Epochs);
        if (done.Count == pipeline.Nodes.Count || accounts.Count == 0)
            return (happened, now, 0);
        // The accounts' quota as a fresh week (the tick's own quota reads are not kept): a forecast, not a promise.
        var team = accounts.Select(a => (a, new Scheduling.Accounts.QuotaSnapshot(Contracts.PlatformRules.WeeklyGpuQuota, TimeSpan.Zero,
            TimeSpan.Zero, Contracts.PlatformRules.NextQuotaRefresh(now)))).ToList();
        var plan = await new Forecaster(options).PredictAsync(now, stages, done, team, new Scheduling.Accounts.QuotaLedger(), cancellationToken);
        var planned = plan.Sessions.Select((s, i) => s with { Id = happened.Sessions.Count + i + 1 }).ToList();
        return (happened with
        {
            Sessions = [.. happened.Sessions, .. planned],
            Finished = happened.Finished ?? plan.Finished,
            Accounts = happened.Sessions.Concat(planned).Select(s => s.Account).Distinct().Count(),
        }, now, planned.Count);
    }
}
