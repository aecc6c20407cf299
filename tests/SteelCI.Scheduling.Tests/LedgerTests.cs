using SteelCI.Scheduling.Accounts;

namespace SteelCI.Scheduling.Tests;

public sealed class LedgerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);
    private static readonly AccountSettings Ana = new("ana", TimeSpan.FromHours(4));

    private static QuotaSnapshot Quota(double used, double reserved = 0) =>
        new(TimeSpan.FromHours(30), TimeSpan.FromHours(used), TimeSpan.FromHours(reserved), Now.AddDays(3));

    [Fact]
    public void Spendable_is_the_allowance_less_reserve_use_and_what_open_sessions_may_still_take()
    {
        var ledger = new QuotaLedger();
        Assert.Equal(TimeSpan.FromHours(30 - 4 - 5), ledger.Spendable(Ana, Quota(5), Now));

        var session = ledger.Record("ana", "seg1", 0, 10, Now.AddHours(-2), Now.AddHours(8));
        Assert.Equal(TimeSpan.FromHours(30 - 4 - 5 - 8), ledger.Spendable(Ana, Quota(5), Now));
        // Kaggle holding more than the ledger knows of (a session the owner started) wins.
        Assert.Equal(TimeSpan.FromHours(30 - 4 - 5 - 10), ledger.Spendable(Ana, Quota(5, reserved: 10), Now));

        ledger.Close(session, Now, 3);
        Assert.Equal(TimeSpan.FromHours(30 - 4 - 5), ledger.Spendable(Ana, Quota(5), Now));
        Assert.Throws<InvalidOperationException>(() => ledger.Close(session, Now, 3));
    }

    [Fact]
    public void An_account_past_its_reserve_has_nothing_to_spend()
    {
        Assert.Equal(TimeSpan.Zero, new QuotaLedger().Spendable(Ana, Quota(28), Now));
    }

    [Fact]
    public async Task The_pool_reports_free_slots_and_hours_per_account_and_refuses_a_bad_list()
    {
        var ledger = new QuotaLedger();
        ledger.Record("ana", "seg1", 0, 10, Now, Now.AddHours(10));
        var pool = new AccountPool([Ana, AccountSettings.Default("ben")], new FixedQuota(Quota(2)));

        var capacity = await pool.CapacityAsync(ledger, Now, default);

        Assert.Equal((1, TimeSpan.FromHours(14)), (capacity[0].FreeSlots, capacity[0].Spendable));
        Assert.Equal((2, TimeSpan.FromHours(28)), (capacity[1].FreeSlots, capacity[1].Spendable));
        Assert.Throws<ArgumentException>(() => new AccountPool([Ana, Ana], new FixedQuota(Quota(0))));
        Assert.Throws<ArgumentException>(() => new AccountPool([], new FixedQuota(Quota(0))));
    }

    private sealed class FixedQuota(QuotaSnapshot snapshot) : IQuotaSource
    {
        public Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken) => Task.FromResult(snapshot);
    }
}
