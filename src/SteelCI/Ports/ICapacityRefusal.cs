namespace SteelCI.Ports;

/// <summary>
/// Marks an exception from <see cref="IComputeBackend.SubmitAsync"/> that means "no room now" (a platform's session cap,
/// every account short of quota): nothing was started, so the runner withdraws the attempt and tries again at a later
/// step. It is capacity, not a failure, and counts against no retry limit.
/// </summary>
public interface ICapacityRefusal
{
    /// <summary>
    /// Sessions the platform counted on an account that SteelCI does not hold (its owner's own), by account; empty when
    /// the refusal was about something else (quota, SteelCI's own sessions).
    /// </summary>
    IReadOnlyDictionary<string, int> OwnerSessions { get; }
}
