using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// SteelCI's scheduler in the simulator: the account pool, the ledger and the placer, exactly as a tick uses them,
/// with the epoch times the sessions have shown so far (<see cref="EpochTimes"/>) as the placer's speed estimates.
/// </summary>
internal sealed class SchedulerPolicy : ISimulationPolicy
{
    private readonly SimulatedPlatform _platform;
    private readonly Placer _placer;
    private readonly AccountPool _pool;
    private readonly SimulatedLedger _book;
    private readonly EpochTimes _learning;

    public SchedulerPolicy(IReadOnlyList<AccountSettings> accounts, SimulatedPlatform platform, Placer placer, IEnumerable<(int Id, LedgerSession Session)> running,
        EpochTimes learning)
    {
        _learning = learning;
        _platform = platform;
        _placer = placer;
        _pool = new AccountPool(accounts, platform);
        _book = new SimulatedLedger(running);
    }

    public List<string> Refusals { get; } = new();

    /// <summary>Clusters the placer may use beside the accounts; their free jobs come from the same ledger.</summary>
    public IReadOnlyList<ClusterSettings> Clusters { get; init; } = [];

    public void Ended(SimulatedSession session) => _book.Ended(session);

    public async Task PlaceAsync(DateTimeOffset now, StageTracker stages, CancellationToken cancellationToken)
    {
        var capacity = await _pool.CapacityAsync(_book.Ledger, now, cancellationToken);
        var speeds = new SpeedEstimates();
        if (_learning is not EpochTimes.Ignored)
            foreach (var (stage, account, took) in _platform.FinishedEpochs(live: _learning is EpochTimes.Live))
                speeds.Observe(stage, account, 1, took);
        if (_learning is not EpochTimes.Ignored)
            foreach (var (stage, running) in _platform.CutEpochs())
                speeds.ObserveAtLeast(stage, running);
        var clusters = Clusters.Select(c => new ClusterCapacity(c, Math.Max(0, c.JobLimit - _book.Ledger.Open(c.Name).Count()))).ToList();
        foreach (var placement in _placer.Place(now, stages.Views(), capacity, speeds, clusters))
        {
            var work = stages.Work(placement.Stage);
            var startup = placement.Place == Places.Cluster ? Clusters.First(c => c.Name == placement.Account).Startup : _placer.Options.Startup;
            // The trainer trains until the stage is done or its deadline (the chunk's epochs are the plan, for reports).
            var refusal = _platform.TryStart(placement.Account, placement.Stage, placement.FromEpoch, work.Epochs - placement.FromEpoch, work.PerEpoch,
                startup, placement.DeadlineUtc, out var id);
            if (refusal is not null)
            {
                Refusals.Add($"{now:u} {placement.Stage} on {placement.Account}: {refusal}");
                continue;
            }
            _book.Placed(id, _book.Ledger.Record(placement.Account, placement.Stage, placement.FromEpoch, placement.Epochs, now, placement.DeadlineUtc));
            stages.Started(placement.Stage);
        }
    }
}
