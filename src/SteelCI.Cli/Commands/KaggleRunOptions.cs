using System.CommandLine;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci run</c>'s backend options: <c>--backend kaggle</c> (or <c>backend: kaggle</c> in steelci.yml), the
/// accounts (<c>--account alice --account bob</c>, else <c>STEELCI_KAGGLE_ACCOUNTS=alice,bob</c>, else steelci.yml's
/// <c>compute.kaggle.accounts</c>, else one account named <c>default</c> that reads KAGGLE_API_TOKEN / ~/.kaggle; see
/// <see cref="KaggleAccounts"/>), <c>--kaggle-url</c> for a fake, and the poll interval.
/// </summary>
public sealed class KaggleRunOptions
{
    public const string AccountsVariable = "STEELCI_KAGGLE_ACCOUNTS";

    public Option<string?> Backend { get; } = new("--backend")
    {
        Description = "Where every stage runs: local, kaggle or slurm (default: backend in the pipeline file, and each stage's compute:)",
    };
    public Option<string[]> Accounts { get; } = new("--account")
    {
        Description = $"A Kaggle account (repeat for several); credentials are read per account, e.g. KAGGLE_API_TOKEN_ALICE. Default: ${AccountsVariable} (comma-separated), else compute.kaggle.accounts in the pipeline file, else KAGGLE_API_TOKEN / ~/.kaggle",
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<string?> KaggleUrl { get; } = new("--kaggle-url")
    {
        Description = "Base URL of the Kaggle API (default https://api.kaggle.com/); a fake's URL from `steelci fake kaggle`",
    };
    public Option<double?> PollSeconds { get; } = new Option<double?>("--poll-seconds")
    {
        Description = "Seconds between status checks (default: 1 locally, 5 on Slurm, 30 on Kaggle, a fake's URL included)",
    }.Positive();

    public void AddTo(Command command)
    {
        command.Options.Add(Backend);
        command.Options.Add(Accounts);
        command.Options.Add(KaggleUrl);
        command.Options.Add(PollSeconds);
    }

    public Values Read(ParseResult result) => new(result.GetValue(Backend), result.GetValue(Accounts) ?? [],
        result.GetValue(KaggleUrl), result.GetValue(PollSeconds));

    public sealed record Values(string? Backend, string[] Accounts, string? KaggleUrl, double? PollSeconds)
    {
        /// <summary>
        /// The pipeline with --backend applied: every stage then runs there (a stage's own compute: choice is overridden);
        /// any backend other than local, kaggle or slurm is refused.
        /// </summary>
        public Pipeline Apply(Pipeline pipeline)
        {
            if (Backend is null)
                return pipeline;
            if (Backend is not ("local" or "kaggle" or "slurm"))
                throw new NotSupportedException($"--backend {Backend}: expected local, kaggle or slurm");
            return pipeline with { Backend = Backend, Nodes = pipeline.Nodes.Select(n => n with { Compute = null }).ToList() };
        }

        public TimeSpan PollInterval(string backend) => TimeSpan.FromSeconds(PollSeconds is > 0
            ? PollSeconds.Value
            : backend == "kaggle" ? 30 : backend == "slurm" ? 5 : 1);
    }
}
