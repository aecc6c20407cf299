namespace SteelCI.Scheduling.Placement;

/// <summary>The platform's limits and the scheduler's margins.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Longest session, start-up included (Kaggle GPU: 12 h).</summary>
    public TimeSpan SessionLimit { get; init; } = TimeSpan.FromHours(12);
    /// <summary>Start-up of a session (image, runtime, inputs), counted against quota.</summary>
    public TimeSpan Startup { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Kept free between the trainer's deadline and the session limit.</summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Epochs are planned this much slower than expected, so a slow session still ends its chunk.</summary>
    public double EpochSafety { get; init; } = 0.05;

    /// <summary>The longest window a chunk may be given: session limit minus the margin.</summary>
    public TimeSpan MaxWindow => SessionLimit - DeadlineMargin;

    public TimeSpan PlannedEpoch(StageWork work) => work.PerEpoch * (1 + EpochSafety);
}
