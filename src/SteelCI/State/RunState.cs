using System.Text.Json.Serialization;
using SteelCI.Ports;

namespace SteelCI.State;

/// <summary>state.json, format "steelci.state/1": the durable record of a pipeline's work. See docs/contracts.md.</summary>
public sealed class RunState
{
    public const string CurrentFormat = "steelci.state/1";

    public string Format { get; set; } = CurrentFormat;
    public required string Pipeline { get; set; }
    public required string RunId { get; set; }
    public DateTimeOffset StartedUtc { get; set; }
    public DateTimeOffset UpdatedUtc { get; set; }
    /// <summary>
    /// The trainer bundle hash a person pinned (<c>steelci pin</c>): keys are computed from it and attempts start from
    /// that bundle, whatever the trainer's code is now; null (unpinned) builds the trainer and uses its hash.
    /// </summary>
    public string? TrainerPin { get; set; }
    /// <summary>The trainer bundle hash the last run or tick keyed the stages with (what <c>steelci pin</c> pins by default).</summary>
    public string? TrainerHash { get; set; }
    /// <summary>
    /// The last unpinned publish: the trainer's source key (<see cref="Ports.IKernelPackager.TrainerSourceKeyAsync"/>)
    /// and the bundle hash it built. A run whose source key is the same keys its stages with that hash and builds the
    /// trainer only when an attempt needs the bundle. Null in older states and when the packager has no source key.
    /// </summary>
    public TrainerBuild? TrainerBuilt { get; set; }
    public Dictionary<string, StageState> Stages { get; set; } = new();
    /// <summary>
    /// Accounts whose owner was using sessions SteelCI could not get: a push there was refused at the platform's session
    /// cap while SteelCI held fewer. Capacity, not failure: the stage waits and a later step pushes again. Cleared by
    /// the next push that account accepts. Absent in older states.
    /// </summary>
    public Dictionary<string, OwnerUse> OwnerSessions { get; set; } = new();
}

/// <summary>What a refused push saw of an account's owner: their sessions, and when.</summary>
public sealed class OwnerUse
{
    public int Sessions { get; set; }
    public DateTimeOffset SeenUtc { get; set; }
}

/// <summary>A trainer build: the key of its sources and the hash of the bundle they built.</summary>
public sealed record TrainerBuild(string SourceKey, string Hash);

public enum StageStatus { Pending, Running, Complete, Reused, Failed, Blocked }

/// <summary>
/// One stage's record. Its <see cref="Status"/> is set when it is made (a new stage, a state read from disk) and changes
/// afterwards only through the named transitions of <c>StageState.Lifecycle.cs</c>, which refuse an illegal one.
/// </summary>
public sealed partial class StageState
{
    private StageStatus _status = StageStatus.Pending;

    public required string ContentKey { get; set; }
    /// <summary>What went into <see cref="ContentKey"/>; null in older states.</summary>
    public KeyParts? KeyParts { get; set; }
    public StageStatus Status { get => _status; init => _status = value; }
    /// <summary>Tag of the release that holds this stage's output (complete), once published.</summary>
    public string? Release { get; set; }
    /// <summary>Why the stage failed or is blocked, for people; <see cref="Failure"/> is what programs read.</summary>
    public string? Error { get; set; }
    /// <summary>
    /// What kind of failure the stage is failed or blocked by; null otherwise. States written before it was recorded
    /// get it from their error text when read (<see cref="FailureClasses.FromLegacyText"/>).
    /// </summary>
    public FailureClass? Failure { get; set; }
    /// <summary>Session time the watchdog threw away (attempts stopped past their deadline; their chunk is redone).</summary>
    public TimeSpan LostWork { get; set; }
    public List<AttemptRecord> Attempts { get; set; } = new();
}

public sealed class AttemptRecord : IJsonOnDeserialized
{
    public required string Slug { get; set; }
    public int Number { get; set; }
    public required string Backend { get; set; }
    public string? Account { get; set; }
    public AttemptState State { get; set; } = AttemptState.Queued;
    public DateTimeOffset StartedUtc { get; set; }
    public DateTimeOffset? EndedUtc { get; set; }
    /// <summary>The session's limit (start plus the chunk's session limit); the watchdog stops it a margin after. Null in older states.</summary>
    public DateTimeOffset? DeadlineUtc { get; set; }
    /// <summary>Epochs the placement expected this session to train (reports only).</summary>
    public int? PlannedEpochs { get; set; }
    /// <summary>Epochs in the checkpoint the attempt resumed from (0 for a fresh start). Null in older states.</summary>
    public int? FromEpoch { get; set; }
    /// <summary>Epochs in the output it published (its manifest's progress). Null until collected, and in older states.</summary>
    public int? EpochsDone { get; set; }
    /// <summary>When the trainer wrote that output (its manifest's createdUtc): with the start and the epochs, the stage's measured speed on this account.</summary>
    public DateTimeOffset? TrainedUtc { get; set; }
    /// <summary>What the backend needs to find the attempt again (a process id, a kernel version); null until submitted.</summary>
    public Dictionary<string, string>? Handle { get; set; }
    public string? ResumedFrom { get; set; }
    /// <summary>The release this attempt produced (complete or partial).</summary>
    public string? Release { get; set; }
    public string? Error { get; set; }
    /// <summary>How the attempt failed, when it did; null for a running or successful one (and in older states for those).</summary>
    public FailureClass? Failure { get; set; }

    public bool IsActive => State is AttemptState.Queued or AttemptState.Running;

    /// <summary>An attempt written before failure classes were recorded learns its class from its state and message.</summary>
    void IJsonOnDeserialized.OnDeserialized() => Failure ??= FailureClasses.FromLegacyText(State, Error);
}
