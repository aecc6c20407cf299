using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// The plan: the rest of a run predicted from where it stands — each stage's last checkpoint, each account's quota
/// and refresh, the sessions the ledger knows are running — by running the scheduler forward on fake time with every
/// epoch taking its estimate; with <c>clusters</c>, stages that may run there (<see cref="StageWork.Places"/>) are placed
/// across both. The result lists every predicted session (stage → account → chunk → start and finish).
/// </summary>
public sealed class Forecaster(SimulationOptions options)
{
    public Task<SimulationResult> PredictAsync(DateTimeOffset now, IReadOnlyList<StageWork> stages, IReadOnlyDictionary<string, int> epochsDone,
        IReadOnlyList<(AccountSettings Settings, QuotaSnapshot Quota)> accounts, QuotaLedger ledger, CancellationToken cancellationToken = default,
        IReadOnlyList<ClusterSettings>? clusters = null)
    {
        var setup = new SimulationSetup(now, stages,
            accounts.Select(a => new SimulatedAccountState(a.Settings, a.Quota.Allowed, a.Quota.Used, a.Quota.RefreshUtc)).ToList())
        {
            EpochsDone = epochsDone,
            Running = ledger.Sessions.Where(s => s.IsOpen).ToList(),
            Clusters = clusters ?? [],
        };
        return new Simulator(options with { Jitter = 0 }).RunAsync(setup, Strategy.Scheduler, cancellationToken);
    }
}
