using System.CommandLine;
using System.Text;
using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Credentials;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary><c>steelci doctor</c>'s checks of each Kaggle account: token, GPU entitlement, quota against the reserve, sessions.</summary>
public static partial class DoctorCommand
{
    private static async Task<IReadOnlyList<Finding>> KaggleAsync(CliServices services, OperateContext context, KaggleRunOptions.Values backend,
        IAnsiConsole console, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        KaggleWiring wiring;
        try
        {
            wiring = services.Kaggle(backend, context.Workspace.Root, console, context.Pipeline?.Compute.Kaggle);
        }
        catch (KaggleCredentialsException error)
        {
            return [new("kaggle", "credentials", Level.Fail, error.Message,
                "create a token at https://www.kaggle.com/settings (API → Generate New Token) and set KAGGLE_API_TOKEN_<ACCOUNT>")];
        }
        using (wiring)
        {
            var state = await context.LoadStateAsync(cancellationToken);
            var usable = 0;
            foreach (var client in wiring.Clients)
            {
                var name = $"account {client.Account.Name}";
                var account = wiring.Accounts.Accounts.First(a => a.Name == client.Account.Name);
                var reserve = account.ReserveHours;
                if (!account.Enabled)
                    findings.Add(new("kaggle", name, Level.Warn, "enabled: false in compute.kaggle.accounts; placement skips it",
                        "set enabled: true (or remove the line) to lend it again"));
                try
                {
                    if (client.Account.Credential is TokenCredential token)
                    {
                        var introspection = await client.IntrospectTokenAsync(token, cancellationToken);
                        if (!introspection.Active)
                        {
                            findings.Add(new("kaggle", name, Level.Fail, "token is not active", token.RenewHint));
                            continue;
                        }
                        findings.Add(new("kaggle", name, Level.Ok, $"token valid for {introspection.Username} ({token.Source}; in Actions the secret {account.Secret})"));
                    }
                    else
                        findings.Add(new("kaggle", name, Level.Warn, $"legacy key of {client.Account.KnownUsername} ({client.Account.Credential.Source}); " +
                            "some users see these refused", client.Account.Credential.RenewHint));

                    var statistics = await client.GetAcceleratorQuotaStatisticsAsync(cancellationToken);
                    var gpu = statistics.GpuQuota;
                    var sessions = KaggleAccountReport.SessionsInUse(state, client.Account.Name);
                    if (gpu is null) // gpuQuota absent: no GPU access (kaggle-api.md §8), not "0 h left"
                    {
                        findings.Add(new("kaggle", name + " GPU", Level.Fail, AcceleratorQuotaStatistics.NoGpuAccess,
                            AcceleratorQuotaStatistics.NoGpuAccessFix));
                        continue;
                    }
                    if (gpu.TotalTimeAllowed <= TimeSpan.Zero)
                    {
                        findings.Add(new("kaggle", name + " GPU", Level.Fail, "Kaggle allows this account 0 h of GPU this week",
                            "wait for the refresh, or " + AcceleratorQuotaStatistics.NoGpuAccessFix));
                        continue;
                    }
                    var left = gpu.Remaining.TotalHours;
                    var detail = $"{left:0.#} h GPU left of {gpu.TotalTimeAllowed.TotalHours:0.#} h, reserve {reserve:0.#} h, " +
                        $"{sessions} session(s) in use by SteelCI" + (statistics.QuotaRefreshTime is { } r ? $", refreshes {r:u}" : "");
                    if (left - reserve <= 0)
                        findings.Add(new("kaggle", name + " quota", Level.Warn, detail + ": nothing left above the reserve",
                            $"wait for the refresh, add an account, or lower its reserve_hours in compute.kaggle.accounts"));
                    else
                    {
                        findings.Add(new("kaggle", name + " quota", Level.Ok, detail));
                        if (account.Enabled)
                            usable++;
                    }
                }
                catch (KaggleAuthException error)
                {
                    findings.Add(new("kaggle", name, Level.Fail, error.Message, client.Account.Credential.RenewHint));
                }
                catch (KaggleException error)
                {
                    findings.Add(new("kaggle", name, Level.Fail, error.Message,
                        "check the network and https://www.kaggle.com/ (or --kaggle-url for a fake), then run steelci doctor again"));
                }
            }
            if (usable == 0 && findings.All(f => f.Level != Level.Fail))
                findings.Add(new("kaggle", "accounts", Level.Fail, "no account has GPU hours above its reserve: GPU stages cannot start",
                    "wait for the weekly refresh or add an account"));
        }
        return findings;
    }
}
