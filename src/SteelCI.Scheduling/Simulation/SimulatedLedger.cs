using SteelCI.Scheduling.Accounts;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// A simulated scheduler's quota ledger and which ledger session each simulated session is: what every policy of the
/// simulator records the same way (sessions already running at the start, each placement, each end).
/// </summary>
internal sealed class SimulatedLedger
{
    private readonly Dictionary<int, LedgerSession> _sessions = new();

    public SimulatedLedger(IEnumerable<(int Id, LedgerSession Session)> running)
    {
        foreach (var (id, session) in running)
        {
            Ledger.Sessions.Add(session);
            _sessions[id] = session;
        }
    }

    public QuotaLedger Ledger { get; } = new();

    /// <summary>Records simulated session <paramref name="id"/> as the ledger's session <paramref name="session"/>.</summary>
    public void Placed(int id, LedgerSession session) => _sessions[id] = session;

    /// <summary>Closes the ledger session of a simulated session that ended, with the epochs it finished.</summary>
    public void Ended(SimulatedSession session)
    {
        if (_sessions.Remove(session.Id, out var recorded))
            Ledger.Close(recorded, session.End, session.EpochsDone);
    }
}
