using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>What <c>steelci run</c> and <c>steelci tick</c> are given on the command line.</summary>
public sealed record RunArguments(string SpecPath, string? WorkspaceRoot, string? Profile, string[] Data, int? Slots, string? Store,
    KaggleRunOptions.Values Backend)
{
    /// <summary>run only: retrain stages whose release already exists.</summary>
    public bool Force { get; init; }

    /// <summary>run only: the session limit instead of the pipeline file's.</summary>
    public double? SessionMinutes { get; init; }

    /// <summary>tick only: without --profile, train $STEELCI_PROFILE or the file's schedule.profile (<see cref="PipelineLoading.ScheduledProfile"/>).</summary>
    public bool Scheduled { get; init; }

    public Workspace Workspace => Workspace.For(SpecPath, WorkspaceRoot);

    /// <summary>The pipeline with the profile, --data, --session-minutes, the backend options and --store applied.</summary>
    public Pipeline LoadPipeline()
    {
        var pipeline = Backend.Apply(PipelineLoading.Load(SpecPath, Profile, Data, SessionMinutes, Backend.Backend, Scheduled));
        return Store is null ? pipeline : pipeline with { Store = Store };
    }
}
