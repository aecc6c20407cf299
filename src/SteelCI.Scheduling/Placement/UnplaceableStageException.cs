namespace SteelCI.Scheduling.Placement;

/// <summary>A stage that no account could ever run (longer than a session and not resumable, or an epoch longer than a session).</summary>
public sealed class UnplaceableStageException(string message) : Exception(message);
