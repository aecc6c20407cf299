namespace SteelCI.Architecture.Tests;

/// <summary>
/// Which project may reference which (docs/architecture.md draws the same picture). A project reference that is
/// not listed here fails <see cref="ArchitectureTests"/>; so does a product project that is not listed at all.
/// </summary>
public static class Layout
{
    public const string Contracts = "SteelCI.Contracts";
    public const string Core = "SteelCI";

    /// <summary>The test kit (tests/SteelCI.Testing): code that test projects share; it references no product project.</summary>
    public const string TestKit = "SteelCI.Testing";

    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Allowed = new Dictionary<string, IReadOnlySet<string>>
    {
        // What the trainer and every adapter share; depends on nothing.
        [Contracts] = Set(),
        // Spec, runner, state, ports.
        [Core] = Set(Contracts),
        // The trainer-side harness: only the contracts, so a trainer bundle carries no core and no YamlDotNet.
        ["SteelCI.Training"] = Set(Contracts),
        // Safe zip packing and unpacking (SharpCompress), shared by the stores and the Kaggle transfers; depends on nothing.
        ["SteelCI.Archives"] = Set(),
        // Adapters: each knows the core (its ports) and nothing of the others, except the Kaggle backend's packaging.
        ["SteelCI.Kernels"] = Set(Core, Contracts),
        ["SteelCI.Local"] = Set(Core, Contracts),
        ["SteelCI.Kaggle"] = Set(Core, Contracts, "SteelCI.Kernels", "SteelCI.Archives"),
        ["SteelCI.GitHub"] = Set(Core, Contracts, "SteelCI.Archives"),
        ["SteelCI.Slurm"] = Set(Core, Contracts, "SteelCI.Kernels"), // the kernel spec and launcher, with the cluster's device rules
        ["SteelCI.Scheduling"] = Set(Core, Contracts),
        ["SteelCI.Scheduling.Charts"] = Set("SteelCI.Scheduling"),
        // Loopback fakes of the services: the Kaggle fake runs kernels as local processes.
        ["SteelCI.Kaggle.Fake"] = Set(Core, Contracts, "SteelCI.Local", "SteelCI.Archives"),
        ["SteelCI.GitHub.Fake"] = Set(),
        // The one composition root may use every part; nothing references it.
        ["SteelCI.Cli"] = Set(Contracts, Core, "SteelCI.Kernels", "SteelCI.Local", "SteelCI.Kaggle", "SteelCI.Kaggle.Fake",
            "SteelCI.GitHub", "SteelCI.GitHub.Fake", "SteelCI.Scheduling", "SteelCI.Scheduling.Charts", "SteelCI.Slurm"),
        // The shipped example trainer and the benches.
        ["Severstal.Trainer"] = Set("SteelCI.Training"),
        ["Severstal.Bench"] = Set("Severstal.Trainer"),
        ["SteelCI.Simulate"] = Set("SteelCI.Scheduling", "SteelCI.Scheduling.Charts"),
        ["SteelCI.Archives.Bench"] = Set("SteelCI.Archives"),
    };

    /// <summary>Heavy third-party packages and the only projects that may reference them.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> PackageOwners = new Dictionary<string, IReadOnlySet<string>>
    {
        ["YamlDotNet"] = Set(Core),
        ["Octokit"] = Set("SteelCI.GitHub"),
        ["RestSharp"] = Set("SteelCI.Kaggle"),
        ["TorchSharp"] = Set("SteelCI.Training"),
        ["libtorch-cpu-linux-x64"] = Set("SteelCI.Training"),
        ["TorchSharp.PyBridge"] = Set("SteelCI.Training"),
        ["Spectre.Console"] = Set("SteelCI.Cli"),
        ["System.CommandLine"] = Set("SteelCI.Cli"),
        ["ScottPlot"] = Set("SteelCI.Scheduling.Charts"),
        ["SharpCompress"] = Set("SteelCI.Archives"),
        ["SSH.NET"] = Set("SteelCI.Slurm"),
    };

    private static IReadOnlySet<string> Set(params string[] names) => new HashSet<string>(names, StringComparer.Ordinal);
}
