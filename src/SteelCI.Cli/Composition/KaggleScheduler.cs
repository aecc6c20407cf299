using SteelCI.Contracts;
using SteelCI.Kaggle.Backend;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Ticking;

namespace SteelCI.Cli;

/// <summary>
/// The tick's placement on the kaggle backend: SteelCI.Scheduling's scheduler over the backend's accounts, their quota
/// read from Kaggle. It lives here because the scheduler and the Kaggle adapter do not know each other.
/// </summary>
public static class KaggleScheduler
{
    /// <summary>Hours of each account's GPU quota SteelCI never plans into (the owner's), e.g. STEELCI_KAGGLE_RESERVE_HOURS=4.</summary>
    public const string ReserveVariable = "STEELCI_KAGGLE_RESERVE_HOURS";

    /// <summary>The scheduler over the Kaggle accounts: their quota as Kaggle reports it, the same reserve for each.</summary>
    public static ScheduledPlacementPolicy Create(KaggleBackend backend, double sessionMinutes, TimeProvider time)
    {
        var reserve = double.TryParse(Environment.GetEnvironmentVariable(ReserveVariable), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var hours) ? TimeSpan.FromHours(hours) : TimeSpan.Zero;
        var accounts = backend.Accounts.Select(a => new AccountSettings(a, reserve)).ToList();
        var options = new SchedulerOptions { SessionLimit = TimeSpan.FromMinutes(Math.Min(sessionMinutes, PlatformRules.SessionLimitMinutes)) };
        return new ScheduledPlacementPolicy(new AccountPool(accounts, new KaggleQuotaSource(backend, time)), new Placer(options));
    }

    /// <summary>GetAcceleratorQuotaStatistics' GPU quota as the scheduler's <see cref="QuotaSnapshot"/>.</summary>
    private sealed class KaggleQuotaSource(KaggleBackend backend, TimeProvider time) : IQuotaSource
    {
        public async Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken)
        {
            var statistics = await backend.QuotaAsync(account, cancellationToken);
            var gpu = statistics.GpuQuota;
            return new QuotaSnapshot(gpu?.TotalTimeAllowed ?? TimeSpan.Zero, gpu?.TimeUsed ?? TimeSpan.Zero,
                gpu?.TimeReserved ?? TimeSpan.Zero, statistics.QuotaRefreshTime ?? PlatformRules.NextQuotaRefresh(time.GetUtcNow()));
        }
    }
}
