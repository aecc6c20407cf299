using System.CommandLine;

namespace SteelCI.Cli;

/// <summary>Arguments and options several commands share.</summary>
public static class CommonOptions
{
    public static Argument<string> Pipeline() => new("pipeline")
    {
        Description = "The pipeline file (steelci.yml)",
        DefaultValueFactory = _ => "steelci.yml",
    };

    public static Option<string?> Workspace() => new("--workspace")
    {
        Description = "Folder for releases, state, attempts and the trainer bundle (default: .steelci beside the pipeline file)",
    };

    public static Option<string?> Profile() => new("--profile", "-p")
    {
        Description = "A profile of the pipeline file (demo, ci, bench, ...)",
    };

    public static Option<string[]> Data() => new("--data")
    {
        Description = "A folder with the real data: DIR for the pipeline's only dataset, or NAME=DIR",
        AllowMultipleArgumentsPerToken = false,
    };
}
