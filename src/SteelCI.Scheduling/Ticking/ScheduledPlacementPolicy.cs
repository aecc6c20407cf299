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
/// Stages the placer does not plan (on the CPU, or on the GPU without an epoch estimate) get the pipeline's session
/// limit and still keep to the owners' reserves: a GPU one goes to the account with the most GPU time to spend above
/// its reserve and a free session, and waits when there is none; a CPU one (Kaggle's CPU sessions cost no GPU quota)
/// prefers such an account and otherwise keeps the backend's choice (any account with a free session). Epoch times: what collected attempts measured
/// (<see cref="MeasuredSpeeds"/>), the pipeline's minutes_per_epoch before. <see cref="Waiting"/> says why the ready
/// stages the last call left unplaced wait.
/// </summary>
public sealed class ScheduledPlacementPolicy(AccountPool pool, Placer placer) : IPlacementPolicy
{
    public Placer Placer { get; } = placer;
    /// <summary>The accounts and their quota source (a mixed placement uses the same).</summary>
    public AccountPool Pool { get; } = pool;

    public async Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken)
    {
        var planned = request.Pipeline.Nodes.Where(IsPlanned).ToList();
        var names = planned.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var progress = ProgressOf(request, planned, node => StageWork.Of(node, names));

        var decisions = new List<PlacementDecision>();
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);
        Waiting = waiting;
        if (request.Ready.Count == 0)
            return decisions;
        var capacity = await Pool.CapacityAsync(LedgerOf(request.State, planned), request.Now, cancellationToken);
        if (progress.Count > 0)
        {
            var speeds = MeasuredSpeeds.From(request.State, Placer.Options.Startup);
            foreach (var placement in Placer.Place(request.Now, progress, capacity, speeds))
                decisions.Add(new PlacementDecision(placement.Stage, placement.Account,
                    SessionLimitFor(placement.DeadlineUtc - placement.StartUtc), placement.Epochs));
            foreach (var candidate in request.Ready.Where(c => IsPlanned(c.Node) && decisions.All(d => d.Stage != c.Node.Name)))
                waiting[candidate.Node.Name] = WhyNot(capacity);
        }
        // Sessions the ledger does not hold (active attempts of unplanned stages) and this call's decisions take slots too.
        var taken = request.State.Stages.Where(s => !names.Contains(s.Key)).SelectMany(s => s.Value.Attempts)
            .Where(a => a.IsActive && a.Account is not null).Select(a => a.Account!)
            .Concat(decisions.Where(d => d.Account is not null).Select(d => d.Account!))
            .GroupBy(a => a, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // Without an estimate, an unplanned GPU session may run to its limit: it needs that much above the reserve.
        var session = TimeSpan.FromMinutes(request.Pipeline.SessionMinutes);
        foreach (var candidate in request.Ready.Where(c => !IsPlanned(c.Node)))
        {
            var gpu = candidate.Node.Accelerator == "gpu";
            var account = capacity
                .Where(a => (gpu ? a.Spendable >= SessionLimitFor(session) : a.Spendable > TimeSpan.Zero) && a.FreeSlots > taken.GetValueOrDefault(a.Name))
                .OrderByDescending(a => a.Spendable).ThenBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault()?.Name;
            if (gpu && account is null)
            {
                waiting[candidate.Node.Name] = WhyNot(capacity, SessionLimitFor(session));
                continue;
            }
            if (account is not null)
                taken[account] = taken.GetValueOrDefault(account) + 1;
            decisions.Add(new PlacementDecision(candidate.Node.Name, account, TimeSpan.FromMinutes(request.Pipeline.SessionMinutes),
                candidate.Node.Epochs - candidate.EpochsDone));
        }
        return decisions.Take(Math.Max(0, request.FreeSlots)).ToList();
    }

    /// <summary>
    /// Where each planned stage stands: done (complete or reused), ready with the epochs its partial release holds, or
    /// neither. Anything not offered as ready (running, failed, blocked, inputs not done) is kept out of placement but
    /// still counts for the remaining path of what it waits for.
    /// </summary>
    internal static List<StageProgress> ProgressOf(PlacementRequest request, IEnumerable<PipelineNode> planned, Func<PipelineNode, StageWork> work)
    {
        var ready = request.Ready.ToDictionary(c => c.Node.Name, StringComparer.Ordinal);
        var progress = new List<StageProgress>();
        foreach (var node in planned)
        {
            var done = request.State.Stages.GetValueOrDefault(node.Name)?.Status is StageStatus.Complete or StageStatus.Reused;
            var epochsDone = done ? node.Epochs : ready.TryGetValue(node.Name, out var candidate) ? candidate.EpochsDone : 0;
            progress.Add(new StageProgress(work(node), Math.Min(epochsDone, node.Epochs), !done && !ready.ContainsKey(node.Name)));
        }
        return progress;
    }

    /// <summary>Ready stages the last <see cref="PlaceAsync"/> did not place, each with why it waits; empty when none.</summary>
    public IReadOnlyDictionary<string, string> Waiting { get; private set; } = new Dictionary<string, string>();

    /// <summary>Why a ready stage got no account, from the accounts' capacity.</summary>
    /// <param name="session">For a stage without an epoch estimate: the session it needs above the reserve.</param>
    private static string WhyNot(IReadOnlyList<AccountCapacity> capacity, TimeSpan? session = null)
    {
        var accounts = string.Join(", ", capacity.Select(a =>
            $"{a.Name} {Math.Max(0, a.Spendable.TotalHours):0.0} h above its reserve, {a.FreeSlots} free session(s)"));
        var refresh = $"the quota refreshes {capacity.Min(a => a.RefreshUtc):yyyy-MM-dd HH:mm} UTC";
        if (capacity.All(a => a.Spendable <= TimeSpan.Zero))
            return $"no account has GPU quota above its owner's reserve ({accounts}); {refresh}";
        if (capacity.All(a => a.FreeSlots == 0))
            return $"every account's sessions are in use ({accounts})";
        return session is { } needed
            ? $"no account has a whole session ({needed.TotalHours:0.#} h, the stage has no minutes_per_epoch) of GPU quota above its owner's reserve and a free session ({accounts}); {refresh}"
            : $"its next chunk does not fit what the accounts can spend above their reserves now ({accounts}); {refresh}";
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
