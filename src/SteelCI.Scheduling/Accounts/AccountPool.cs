using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Accounts;

/// <summary>The lent accounts with their quota source: turns settings, quota and ledger into what placement may use now.</summary>
public sealed class AccountPool(IReadOnlyList<AccountSettings> accounts, IQuotaSource quota)
{
    public IReadOnlyList<AccountSettings> Accounts { get; } = Validate(accounts);

    public async Task<IReadOnlyList<AccountCapacity>> CapacityAsync(QuotaLedger ledger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var capacity = new List<AccountCapacity>();
        foreach (var account in Accounts)
        {
            var snapshot = await quota.ReadAsync(account.Name, cancellationToken);
            var free = Math.Max(0, account.MaxSessions - ledger.Open(account.Name).Count());
            capacity.Add(new AccountCapacity(account.Name, free, ledger.Spendable(account, snapshot, now), snapshot.RefreshUtc));
        }
        return capacity;
    }

    private static IReadOnlyList<AccountSettings> Validate(IReadOnlyList<AccountSettings> accounts)
    {
        if (accounts.Count == 0)
            throw new ArgumentException("the account pool needs at least one account", nameof(accounts));
        var duplicate = accounts.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"account '{duplicate.Key}' is listed twice", nameof(accounts));
        var bad = accounts.FirstOrDefault(a => a.MaxSessions < 1 || a.Reserve < TimeSpan.Zero);
        if (bad is not null)
            throw new ArgumentException($"account '{bad.Name}': max_sessions must be at least 1 and the reserve not negative", nameof(accounts));
        return accounts;
    }
}
