namespace SteelCI.Scheduling.Simulation;

/// <summary>What happened in one simulation (or what a forecast predicts).</summary>
public sealed record SimulationResult(
    Strategy Strategy,
    int Accounts,
    DateTimeOffset Start,
    DateTimeOffset? Finished,
    IReadOnlyList<SimulatedSession> Sessions,
    IReadOnlyDictionary<string, int> EpochsDone,
    IReadOnlyDictionary<string, TimeSpan> MaxWeekUse,
    int MaxConcurrentPerAccount,
    IReadOnlyList<string> Refusals)
{
    public bool Completed => Finished is not null;
    public TimeSpan? Makespan => Finished - Start;
    public TimeSpan Lost => Sessions.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Lost);
    public int CutOffs => Sessions.Count(s => s.Reason is not (SessionEnd.Completed or SessionEnd.Running));
    public TimeSpan LongestSession => Sessions.Select(s => s.Duration).DefaultIfEmpty(TimeSpan.Zero).Max();
}
