using SteelCI.Contracts;
using SteelCI.Kaggle.Backend;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Ticking;

namespace SteelCI.Cli;

/// <summary>
/// THE placement on the kaggle backend, for <c>run</c> and <c>tick</c> alike: SteelCI.Scheduling's placer over the
/// enabled accounts (each with its owner's reserve and its session cap from steelci.yml, <see cref="KaggleAccounts"/>),
/// their quota read from Kaggle. It lives here because the scheduler and the Kaggle adapter do not know each other.
/// </summary>
public static class KaggleScheduler
{
    public static ScheduledPlacementPolicy Create(KaggleWiring kaggle, double sessionMinutes, TimeProvider time)
    {
        var accounts = kaggle.Accounts.Enabled.Select(a => a.Settings).ToList();
        if (accounts.Count == 0)
            throw new UsageException($"every Kaggle account ({string.Join(", ", kaggle.Accounts.Accounts.Select(a => a.Name))}) is disabled " +
                "(enabled: false in compute.kaggle.accounts); enable one to place work on Kaggle");
        var options = new SchedulerOptions { SessionLimit = TimeSpan.FromMinutes(Math.Min(sessionMinutes, PlatformRules.SessionLimitMinutes)) };
        return new ScheduledPlacementPolicy(new AccountPool(accounts, new KaggleQuotaSource(kaggle.Backend, time)), new Placer(options));
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
