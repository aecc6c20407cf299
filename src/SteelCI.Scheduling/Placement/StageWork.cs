namespace SteelCI.Scheduling.Placement;

/// <summary>
/// A stage as the scheduler sees it: its epochs, the expected time of one epoch (the checkpoint interval), whether
/// it can resume from a checkpoint in a later session, and the stages it waits for.
/// </summary>
public sealed record StageWork(string Name, int Epochs, TimeSpan PerEpoch, bool Resumable, IReadOnlyList<string> After)
{
    public TimeSpan Total => PerEpoch * Epochs;

    /// <summary>Where the stage may run (Kaggle accounts unless its <c>compute:</c> says otherwise).</summary>
    public Places Places { get; init; } = Places.Kaggle;

    public static StageWork Of(SteelCI.Spec.PipelineNode node, IEnumerable<string> stageNames) =>
        new(node.Name, node.Epochs, TimeSpan.FromMinutes(node.MinutesPerEpoch), node.Resumable,
            node.Inputs.Where(stageNames.Contains).ToList());
}

/// <summary>Where a stage stands: epochs in its last published checkpoint, and whether a session is running it.</summary>
public sealed record StageProgress(StageWork Work, int EpochsDone, bool Running)
{
    public int Remaining => Work.Epochs - EpochsDone;
    public bool Done => EpochsDone >= Work.Epochs;
}

/// <summary>What an account offers now: free session slots, hours it may still spend this week, its next refresh.</summary>
public sealed record AccountCapacity(string Name, int FreeSlots, TimeSpan Spendable, DateTimeOffset RefreshUtc);

/// <summary>One decision: run epochs [FromEpoch, FromEpoch + Epochs) of a stage on an account, ending by the deadline.</summary>
public sealed record Placement(string Stage, string Account, int FromEpoch, int Epochs, DateTimeOffset StartUtc,
    DateTimeOffset DeadlineUtc, DateTimeOffset ExpectedEndUtc)
{
    /// <summary>Where <see cref="Account"/> is: a Kaggle account, or (<see cref="Places.Cluster"/>) the cluster of that name.</summary>
    public Places Place { get; init; } = Places.Kaggle;

    /// <summary>When the placer expects the whole stage to be done if its later chunks follow on the same kind of place.</summary>
    public DateTimeOffset? StageFinishUtc { get; init; }
}
