using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>SteelCI's scheduler in the simulator: the account pool, the ledger and the placer, exactly as a tick uses them.</summary>
internal sealed class SchedulerPolicy : ISimulationPolicy
{
    private readonly SimulatedPlatform _platform;
    private readonly Placer _placer;
    private readonly AccountPool _pool;
    private readonly QuotaLedger _ledger = new();
    private readonly Dictionary<int, LedgerSession> _sessions = new();

    public SchedulerPolicy(IReadOnlyList<AccountSettings> accounts, SimulatedPlatform platform, Placer placer, IEnumerable<(int Id, LedgerSession Session)> running)
    {
        _platform = platform;
        _placer = placer;
        _pool = new AccountPool(accounts, platform);
        foreach (var (id, session) in running)
        {
            _ledger.Sessions.Add(session);
            _sessions[id] = session;
        }
    }

    public List<string> Refusals { get; } = new();

    public void Ended(SimulatedSession session)
    {
        if (_sessions.Remove(session.Id, out var recorded))
            _ledger.Close(recorded, session.End, session.EpochsDone);
    }

    public async Task PlaceAsync(DateTimeOffset now, StageTracker stages, CancellationToken cancellationToken)
    {
        var capacity = await _pool.CapacityAsync(_ledger, now, cancellationToken);
        foreach (var placement in _placer.Place(now, stages.Views(), capacity))
        {
            var work = stages.Work(placement.Stage);
            var refusal = _platform.TryStart(placement.Account, placement.Stage, placement.FromEpoch, placement.Epochs, work.PerEpoch,
                _placer.Options.Startup, placement.DeadlineUtc, out var id);
            if (refusal is not null)
            {
                Refusals.Add($"{now:u} {placement.Stage} on {placement.Account}: {refusal}");
                continue;
            }
            _sessions[id] = _ledger.Record(placement.Account, placement.Stage, placement.FromEpoch, placement.Epochs, now, placement.DeadlineUtc);
            stages.Started(placement.Stage);
        }
    }
}
