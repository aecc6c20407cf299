using System.Globalization;
using SteelCI.Contracts;
using SteelCI.Scheduling.Accounts;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// The Kaggle accounts a command uses, and each one's settings. Which accounts: <c>--account</c>, else
/// <c>STEELCI_KAGGLE_ACCOUNTS</c>, else steelci.yml's <c>compute.kaggle.accounts</c>, else one account named
/// <c>default</c> (KAGGLE_API_TOKEN / ~/.kaggle): the command line wins over the environment, the environment over the
/// file. Each account's reserve, sessions and enabled flag come from the file wherever it names the account (so an
/// <c>--account</c> list still honours the owners' reserves); an account the file does not name gets the defaults:
/// <c>sessions_per_account</c> (else Kaggle's 2) and the reserve in <c>STEELCI_KAGGLE_RESERVE_HOURS</c> (else 0).
/// </summary>
public static class KaggleAccounts
{
    /// <summary>Hours of the GPU quota kept for the owner of an account that steelci.yml gives no reserve_hours (older setups).</summary>
    public const string ReserveVariable = "STEELCI_KAGGLE_RESERVE_HOURS";

    /// <summary>One account as this command uses it.</summary>
    public sealed record Account(string Name, double ReserveHours, int Sessions, bool Enabled)
    {
        /// <summary>The secret (and environment variable) that holds the account's API token.</summary>
        public string Secret => KaggleAccountSpec.TokenSecretOf(Name);

        public AccountSettings Settings => new(Name, TimeSpan.FromHours(ReserveHours), Sessions, Secret);
    }

    /// <summary>Where the names came from, in words (for logs and `setup`).</summary>
    public sealed record Choice(IReadOnlyList<Account> Accounts, string Source)
    {
        public IReadOnlyList<Account> Enabled => Accounts.Where(a => a.Enabled).ToList();
    }

    public static Choice Resolve(KaggleComputeSpec? file, IReadOnlyList<string> commandLine, Func<string, string?> environment)
    {
        var configured = (file?.Accounts ?? []).ToDictionary(a => a.Name, StringComparer.Ordinal);
        var names = Split(commandLine);
        var source = "--account";
        if (names.Count == 0)
        {
            names = Split([environment(KaggleRunOptions.AccountsVariable) ?? ""]);
            source = "$" + KaggleRunOptions.AccountsVariable;
        }
        if (names.Count == 0)
        {
            names = configured.Keys.ToList();
            source = "compute.kaggle.accounts";
        }
        if (names.Count == 0)
        {
            names = ["default"];
            source = "the default account (KAGGLE_API_TOKEN or ~/.kaggle)";
        }
        var sessions = file?.SessionsPerAccount ?? PlatformRules.GpuSessionsPerAccount;
        var reserve = double.TryParse(environment(ReserveVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) && hours >= 0 ? hours : 0;
        var accounts = names.Select(name => configured.TryGetValue(name, out var spec)
            ? new Account(name, spec.ReserveHours ?? reserve, spec.Sessions ?? sessions, spec.Enabled)
            : new Account(name, reserve, sessions, true)).ToList();
        return new Choice(accounts, source);
    }

    private static List<string> Split(IEnumerable<string> values) => values
        .SelectMany(v => v.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .Distinct(StringComparer.Ordinal).ToList();
}
