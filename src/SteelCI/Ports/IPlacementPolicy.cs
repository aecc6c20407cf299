using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Ports;

/// <summary>
/// Decides, inside a runner step, which ready stages start now, on which account and for how long. The session limit
/// is the chunk: the trainer checkpoints and exits before it, writes a partial manifest, and the next attempt resumes
/// from that release. The default (<see cref="DefaultPlacementPolicy"/>) is the runner's own behaviour: every ready
/// stage up to the free slots, the backend's choice of account, the pipeline's session limit.
/// </summary>
public interface IPlacementPolicy
{
    Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken);
}

/// <summary>A ready node (inputs done, nothing running) and the epochs in its furthest published checkpoint.</summary>
public sealed record PlacementCandidate(PipelineNode Node, int EpochsDone);

/// <summary>
/// What a placement sees: the time, the pipeline, the recorded state (read it, never change it; attempts carry their
/// account and deadline, so a ledger of running sessions can be rebuilt from it), the ready nodes in the pipeline's
/// order, and how many more attempts the backend takes now.
/// </summary>
public sealed record PlacementRequest(DateTimeOffset Now, Pipeline Pipeline, RunState State,
    IReadOnlyList<PlacementCandidate> Ready, int FreeSlots);

/// <summary>
/// Start <see cref="Stage"/> now with this session limit (start-up included), on <see cref="Account"/> (null: the
/// backend chooses). <see cref="Epochs"/> is what the placement expects the session to train (for reports only).
/// </summary>
public sealed record PlacementDecision(string Stage, string? Account, TimeSpan SessionLimit, int? Epochs = null)
{
    /// <summary>The backend chosen for a stage that may run on several (<c>compute: any</c>); null: the one the stage names.</summary>
    public string? Backend { get; init; }
}

/// <summary>Every ready stage up to the free slots, whole sessions of the pipeline's limit, the backend picks the account.</summary>
public sealed class DefaultPlacementPolicy : IPlacementPolicy
{
    public static readonly DefaultPlacementPolicy Instance = new();

    public Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PlacementDecision>>(request.Ready.Take(Math.Max(0, request.FreeSlots))
            .Select(c => new PlacementDecision(c.Node.Name, null, TimeSpan.FromMinutes(request.Pipeline.SessionMinutes),
                c.Node.Epochs - c.EpochsDone))
            .ToList());
}

/// <summary>
/// A backend that can find an attempt by its slug when the runner died between submitting it and saving its handle,
/// so the attempt is adopted instead of being counted lost and pushed a second time. Optional.
/// </summary>
public interface IAttemptRecovery
{
    /// <summary>The handle of the attempt submitted under <paramref name="slug"/> (on <paramref name="account"/> when known), or null.</summary>
    Task<AttemptHandle?> FindAsync(string slug, string? account, CancellationToken cancellationToken);

    /// <summary>
    /// Attempts still queued or running whose slug <paramref name="isOurs"/> accepts: a runner whose state was lost
    /// altogether knows no slug, only what its stages' slugs look like. Their handles, with <c>pushedUtc</c> when the
    /// backend knows when they started. Default: none (the backend cannot list its attempts).
    /// </summary>
    Task<IReadOnlyList<AttemptHandle>> FindActiveAsync(Func<string, bool> isOurs, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AttemptHandle>>([]);
}
