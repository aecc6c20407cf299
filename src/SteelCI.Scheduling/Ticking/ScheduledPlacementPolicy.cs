using SteelCI.Ports;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Contracts;

namespace SteelCI.Scheduling.Ticking;

/// <summary>
/// The scheduler inside the runner's tick: the <see cref="AccountPool"/>'s quota and session caps, a
/// <see cref="QuotaLedger"/> rebuilt from the recorded state (every active attempt's account, start and deadline, so
/// nothing beside state.json has to be persisted and a crashed tick loses no accounting), and the <see cref="Placer"/>
/// choose the account and the chunk of each ready GPU stage. The chunk is the attempt's session limit: the trainer
/// checkpoints and exits before it, and the next tick resumes from the published partial release on any account.
/// Stages on the CPU (dataset generation) and stages without an epoch estimate keep the runner's default: the
/// backend's account, the pipeline's session limit. Epoch times: what collected attempts measured
/// (<see cref="MeasuredSpeeds"/>), the pipeline's minutes_per_epoch before.
/// </summary>
public sealed class ScheduledPlacementPolicy(AccountPool pool, Placer placer) : IPlacementPolicy
{
    public Placer Placer { get; } = placer;
    /// <summary>The accounts and their quota source (a mixed placement uses the same).</summary>
    public AccountPool Pool { get; } = pool;

    public async Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken)
    {
        var ready = request.Ready.ToDictionary(c => c.Node.Name, StringComparer.Ordinal);
        var planned = request.Pipeline.Nodes.Where(IsPlanned).ToList();
        var names = planned.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var progress = new List<StageProgress>();
        foreach (var node in planned)
        {
            var stage = request.State.Stages.GetValueOrDefault(node.Name);
            var done = stage?.Status is StageStatus.Complete or StageStatus.Reused;
            var epochsDone = done ? node.Epochs : ready.TryGetValue(node.Name, out var candidate) ? candidate.EpochsDone : 0;
            // Anything not offered as ready (running, failed, blocked, inputs not done) is kept out of placement but
            // still counts for the remaining path of what it waits for.
            progress.Add(new StageProgress(StageWork.Of(node, names), Math.Min(epochsDone, node.Epochs), !done && !ready.ContainsKey(node.Name)));
        }

        var decisions = new List<PlacementDecision>();
        if (progress.Count > 0)
        {
            var capacity = await Pool.CapacityAsync(LedgerOf(request.State, planned), request.Now, cancellationToken);
            var speeds = MeasuredSpeeds.From(request.State, Placer.Options.Startup);
            foreach (var placement in Placer.Place(request.Now, progress, capacity, speeds))
                decisions.Add(new PlacementDecision(placement.Stage, placement.Account,
                    SessionLimitFor(placement.DeadlineUtc - placement.StartUtc), placement.Epochs));
        }
        foreach (var candidate in request.Ready.Where(c => !IsPlanned(c.Node)))
            decisions.Add(new PlacementDecision(candidate.Node.Name, null, TimeSpan.FromMinutes(request.Pipeline.SessionMinutes),
                candidate.Node.Epochs - candidate.EpochsDone));
        return decisions.Take(Math.Max(0, request.FreeSlots)).ToList();
    }

    /// <summary>Stages why the scheduler can never run them (not resumable and longer than a session, or an epoch longer than one).</summary>
    public IReadOnlyList<string> Unplaceable(Pipeline pipeline)
    {
        var planned = pipeline.Nodes.Where(IsPlanned).ToList();
        var names = planned.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        return planned.Select(n => Placer.Unplaceable(StageWork.Of(n, names))).OfType<string>().ToList();
    }

    /// <summary>The open sessions of the recorded state: active attempts of planned stages with an account and a deadline.</summary>
    public static QuotaLedger LedgerOf(RunState state, IEnumerable<PipelineNode> planned)
    {
        var ledger = new QuotaLedger();
        foreach (var node in planned)
        {
            if (!state.Stages.TryGetValue(node.Name, out var stage))
                continue;
            foreach (var attempt in stage.Attempts.Where(a => a.IsActive && a.Account is not null && a.DeadlineUtc > a.StartedUtc))
                ledger.Sessions.Add(new LedgerSession
                {
                    Id = attempt.Slug,
                    Account = attempt.Account!,
                    Stage = node.Name,
                    Epochs = attempt.PlannedEpochs ?? 0,
                    StartUtc = attempt.StartedUtc,
                    DeadlineUtc = attempt.DeadlineUtc!.Value,
                });
        }
        return ledger;
    }

    /// <summary>
    /// The session limit that gives the trainer the chunk's window: the launcher keeps min(10 %, 15 min) of the limit
    /// back before the trainer's deadline (docs/contracts.md), so the limit is the window plus that margin, at most the
    /// platform's session limit. The trainer still ends by the window, so the account never spends more than the
    /// placer charged; the ledger of the next tick charges the whole limit, which is only more careful.
    /// </summary>
    public TimeSpan SessionLimitFor(TimeSpan window) => PlatformRules.SessionLimitFor(window, Placer.Options.SessionLimit);

    private static bool IsPlanned(PipelineNode node) => node.Accelerator == "gpu" && node.MinutesPerEpoch > 0 && node.Epochs > 0;
}
