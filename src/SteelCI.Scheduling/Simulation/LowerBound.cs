using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// A bound no schedule can beat, from accounts that start at a refresh, unused. It is the larger of
/// (a) the critical path: the longest stage before the final one, split into ⌈hours / (session − start-up)⌉ sessions
/// each paying the start-up, then the final stage plus its start-up; and
/// (b) the earliest time T at which the accounts together could have spent the hours of every stage but the final one
/// (each with its fewest start-ups), each account spending at most min(sessions·elapsed time in the current week,
/// allowance − reserve) per week, then the final stage plus its start-up.
/// "The final stage" is the longest of the stages nothing waits for.
/// </summary>
public sealed record LowerBound(
    string LongestStage,
    TimeSpan LongestStageHours,
    int LongestStageSessions,
    string FinalStage,
    TimeSpan FinalWithStartup,
    TimeSpan CriticalPath,
    TimeSpan Work,
    int WorkSessions,
    TimeSpan QuotaTime,
    TimeSpan QuotaBound)
{
    public TimeSpan Value => CriticalPath > QuotaBound ? CriticalPath : QuotaBound;

    public static LowerBound Compute(IReadOnlyList<StageWork> stages, IReadOnlyList<SimulatedAccountState> accounts,
        SchedulerOptions options, TimeSpan refreshPeriod)
    {
        var sinks = stages.Where(s => stages.All(o => !o.After.Contains(s.Name))).ToList();
        var final = sinks.MaxBy(s => s.Total) ?? throw new ArgumentException("a pipeline needs at least one stage", nameof(stages));
        var body = stages.Where(s => s != final).ToList();
        var longest = body.MaxBy(s => s.Total) ?? final;
        int Sessions(StageWork s) => (int)Math.Ceiling(s.Total / (options.SessionLimit - options.Startup));
        var finalCost = final.Total + options.Startup * Sessions(final);
        var critical = (body.Count == 0 ? TimeSpan.Zero : longest.Total + options.Startup * Sessions(longest)) + finalCost;

        var sessions = body.Sum(Sessions);
        var work = body.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Total) + options.Startup * sessions;
        var quotaTime = MixedLowerBound.EarliestSpend(work, accounts, [], refreshPeriod);
        return new LowerBound(longest.Name, longest.Total, Sessions(longest), final.Name, finalCost, critical, work, sessions,
            quotaTime, quotaTime + finalCost);
    }
}
