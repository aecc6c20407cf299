using SteelCI.Contracts;

namespace SteelCI.Scheduling.Placement;

/// <summary>The platform's limits and the scheduler's margins.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Longest session, start-up included (Kaggle GPU: 12 h).</summary>
    public TimeSpan SessionLimit { get; init; } = PlatformRules.SessionLimit;
    /// <summary>Start-up of a session (image, runtime, inputs), counted against quota.</summary>
    public TimeSpan Startup { get; init; } = PlatformRules.Startup;
    /// <summary>Kept free between the trainer's deadline and the session limit.</summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Epochs are planned this much slower than expected, so a slow session still ends its chunk.</summary>
    public double EpochSafety { get; init; } = 0.05;
    /// <summary>A chunk's deadline gives its epochs this much more than expected (within what the account can afford), so a slow session still ends its chunk.</summary>
    public double DeadlineSlack { get; init; } = 0.25;
    /// <summary>A chunk that is not its stage's last and would train less than this is not started: its start-up would cost a third of it or more.</summary>
    public TimeSpan MinChunk { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>How often the tick runs (the scheduled workflow's period); a chunk that is not a stage's last ends just before one.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>How long before a tick such a chunk's deadline falls, for the trainer to stop and its output to be saved.</summary>
    public TimeSpan CollectionLead { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest window a chunk may be given: session limit minus the margin.</summary>
    public TimeSpan MaxWindow => SessionLimit - DeadlineMargin;

    public TimeSpan PlannedEpoch(StageWork work) => work.PerEpoch * (1 + EpochSafety);
}
