using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// The quota-aware greedy baseline: every tick, the ready stages longest remaining hours first (their own, by the
/// configured estimate; no look at what waits for them, no measured times), each on the account with the most hours
/// left that has a free session, trained until all that account can give (at most the longest window) or the stage's
/// end; only stages whose epochs fit (SteelCI's rule) are started, and the window is charged in the same ledger, so it
/// never overspends either. It is what "better than naive" is measured against.
/// </summary>
internal sealed class GreedyPolicy : ISimulationPolicy
{
    private readonly SimulatedPlatform _platform;
    private readonly Placer _placer;
    private readonly AccountPool _pool;
    private readonly SimulatedLedger _book;

    public GreedyPolicy(IReadOnlyList<AccountSettings> accounts, SimulatedPlatform platform, Placer placer, IEnumerable<(int Id, LedgerSession Session)> running)
    {
        _platform = platform;
        _placer = placer;
        _pool = new AccountPool(accounts, platform);
        _book = new SimulatedLedger(running);
    }

    public List<string> Refusals { get; } = new();

    public void Ended(SimulatedSession session) => _book.Ended(session);

    public async Task PlaceAsync(DateTimeOffset now, StageTracker stages, CancellationToken cancellationToken)
    {
        var capacity = (await _pool.CapacityAsync(_book.Ledger, now, cancellationToken)).ToList();
        var views = stages.Views();
        var ready = views
            .Where(s => !s.Done && !s.Running && s.Work.After.All(a => views.Any(v => v.Work.Name == a && v.Done)))
            .OrderByDescending(s => s.Work.PerEpoch * s.Remaining)
            .ThenBy(s => s.Work.Name, StringComparer.Ordinal);
        foreach (var stage in ready)
        {
            var freest = capacity.Where(a => a.FreeSlots > 0).OrderByDescending(a => a.Spendable).ThenBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault();
            if (freest is null)
                break;
            var (epochs, _) = _placer.Chunk(stage, freest.Spendable);
            if (epochs == 0)
                continue;
            var cap = freest.Spendable < _placer.Options.MaxWindow ? freest.Spendable : _placer.Options.MaxWindow;
            var window = TimeSpan.FromMinutes(Math.Floor(cap.TotalMinutes));
            var refusal = _platform.TryStart(freest.Name, stage.Work.Name, stage.EpochsDone, stage.Remaining, stage.Work.PerEpoch,
                _placer.Options.Startup, now + window, out var id);
            if (refusal is not null)
            {
                Refusals.Add($"{now:u} {stage.Work.Name} on {freest.Name}: {refusal}");
                continue;
            }
            _book.Placed(id, _book.Ledger.Record(freest.Name, stage.Work.Name, stage.EpochsDone, epochs, now, now + window));
            stages.Started(stage.Work.Name);
            capacity[capacity.IndexOf(freest)] = freest with { FreeSlots = freest.FreeSlots - 1, Spendable = freest.Spendable - window };
        }
    }
}
