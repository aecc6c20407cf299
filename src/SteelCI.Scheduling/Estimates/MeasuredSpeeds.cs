using SteelCI.State;

namespace SteelCI.Scheduling.Estimates;

/// <summary>
/// The speed estimates from the recorded state: every collected attempt that records where it resumed
/// (<see cref="AttemptRecord.FromEpoch"/>), how far it got (<see cref="AttemptRecord.EpochsDone"/>) and when the
/// trainer wrote its output (<see cref="AttemptRecord.TrainedUtc"/>) measured (TrainedUtc − StartedUtc − start-up) over
/// its epochs on its account. The start includes Kaggle's queue and the session's start-up beyond the planned one, so
/// the measure errs slow. Attempts of older states (no such fields) measure nothing: the configured budget stays.
/// </summary>
public static class MeasuredSpeeds
{
    public static SpeedEstimates From(RunState? state, TimeSpan startup)
    {
        var speeds = new SpeedEstimates();
        foreach (var (stage, record) in state?.Stages ?? [])
            foreach (var attempt in record.Attempts)
                if (attempt is { FromEpoch: { } from, EpochsDone: { } done, TrainedUtc: { } trained } && done > from)
                    speeds.Observe(stage, attempt.Account ?? attempt.Backend, done - from, trained - attempt.StartedUtc - startup);
        return speeds;
    }
}
