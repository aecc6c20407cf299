namespace SteelCI.Scheduling.Accounts;

/// <summary>Reads an account's GPU quota. Kaggle: GetAcceleratorQuotaStatistics; the simulator: its own accounting.</summary>
public interface IQuotaSource
{
    Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken);
}
