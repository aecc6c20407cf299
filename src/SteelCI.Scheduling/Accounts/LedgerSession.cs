namespace SteelCI.Scheduling.Accounts;

/// <summary>
/// One session SteelCI started (or is about to start) on an account: the chunk of a stage it runs and the window it
/// may use (start-up included). The whole window counts against the account until the session is closed.
/// </summary>
public sealed class LedgerSession
{
    public required string Id { get; init; }
    public required string Account { get; init; }
    public required string Stage { get; init; }
    public int FromEpoch { get; init; }
    public int Epochs { get; init; }
    public DateTimeOffset StartUtc { get; init; }
    /// <summary>The trainer's deadline: it checkpoints and exits by then, so the session never uses more.</summary>
    public DateTimeOffset DeadlineUtc { get; init; }
    public DateTimeOffset? EndedUtc { get; set; }
    /// <summary>Epochs the session left in a published checkpoint (known once it is closed).</summary>
    public int? EpochsDone { get; set; }

    public bool IsOpen => EndedUtc is null;
    public TimeSpan Window => DeadlineUtc - StartUtc;
}
