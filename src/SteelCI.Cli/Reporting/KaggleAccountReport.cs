using System.Globalization;
using SteelCI.Kaggle.Api;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>Quota left per Kaggle account (GetAcceleratorQuotaStatistics) and the sessions SteelCI has open there (from the state).</summary>
public static class KaggleAccountReport
{
    public static int SessionsInUse(RunState? state, string account) =>
        state?.Stages.Values.SelectMany(s => s.Attempts).Count(a => a.IsActive && a.Account == account) ?? 0;

    /// <summary>Each account's row; its reserve is the one placement uses (steelci.yml's reserve_hours, <see cref="KaggleAccounts"/>).</summary>
    public static async Task<IReadOnlyList<StatusReport.AccountRow>> ReadAsync(KaggleWiring kaggle, RunState? state, CancellationToken cancellationToken)
    {
        var rows = new List<StatusReport.AccountRow>();
        foreach (var client in kaggle.Clients)
        {
            var name = client.Account.Name;
            var account = kaggle.Accounts.Accounts.First(a => a.Name == name);
            var reserveHours = account.ReserveHours;
            var owner = state?.OwnerSessions.GetValueOrDefault(name);
            StatusReport.AccountRow Mark(StatusReport.AccountRow row) =>
                row with { OwnerSessions = owner?.Sessions ?? 0, OwnerSeenUtc = owner?.SeenUtc, Enabled = account.Enabled };
            try
            {
                var statistics = await client.GetAcceleratorQuotaStatisticsAsync(cancellationToken);
                var gpu = statistics.GpuQuota;
                rows.Add(Mark(new StatusReport.AccountRow(name, gpu?.Remaining.TotalHours, gpu?.TotalTimeAllowed.TotalHours, reserveHours,
                    SessionsInUse(state, name), statistics.QuotaRefreshTime,
                    gpu is null ? $"{AcceleratorQuotaStatistics.NoGpuAccess}; {AcceleratorQuotaStatistics.NoGpuAccessFix}" : null)));
            }
            catch (KaggleException error)
            {
                rows.Add(Mark(new StatusReport.AccountRow(name, null, null, reserveHours, SessionsInUse(state, name), null,
                    $"quota unknown: {error.Message}")));
            }
        }
        return rows;
    }
}
