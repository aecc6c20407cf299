using SteelCI.Scheduling.Simulation;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>The attempts a state records as a <see cref="SimulationResult"/>, for the Gantt chart of what ran (running ones end now).</summary>
public static class ActualChart
{
    public static SimulationResult? From(RunState? state, DateTimeOffset now)
    {
        var sessions = new List<SimulatedSession>();
        foreach (var (stage, record) in state?.Stages ?? [])
            foreach (var attempt in record.Attempts.Where(a => a.Handle is not null))
                sessions.Add(new SimulatedSession(sessions.Count + 1, attempt.Account ?? attempt.Backend, stage, 0,
                    attempt.PlannedEpochs ?? 0, 0, attempt.StartedUtc, attempt.EndedUtc ?? now, Ending(attempt), TimeSpan.Zero));
        if (sessions.Count == 0)
            return null;
        var finished = state!.Stages.Values.All(s => s.Status is StageStatus.Complete or StageStatus.Reused) ? sessions.Max(s => s.End) : (DateTimeOffset?)null;
        return new SimulationResult(Strategy.Scheduler, sessions.Select(s => s.Account).Distinct().Count(), sessions.Min(s => s.Start), finished, sessions,
            new Dictionary<string, int>(), new Dictionary<string, TimeSpan>(), 0, []);
    }

    private static SessionEnd Ending(AttemptRecord attempt) => attempt switch
    {
        { IsActive: true } => SessionEnd.Running,
        { State: Ports.AttemptState.Complete, Release: { } tag } when tag.Contains("-partial-") => SessionEnd.TrainerDeadline,
        { State: Ports.AttemptState.Complete } => SessionEnd.Completed,
        _ => SessionEnd.SessionLimit, // error, lost or cancelled: its files are not used
    };
}
