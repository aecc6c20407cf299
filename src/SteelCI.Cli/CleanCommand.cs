using System.CommandLine;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary><c>steelci clean</c>: deletes the workspace (releases, state, attempts, trainer bundles).</summary>
public static class CleanCommand
{
    public static Command Create()
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var command = new Command("clean", "Delete the pipeline's workspace: local releases, state, attempts and bundles") { pipeline, workspace };
        command.SetAction(result =>
        {
            var root = Workspace.For(result.GetValue(pipeline)!, result.GetValue(workspace));
            if (Directory.Exists(root.Root))
                Directory.Delete(root.Root, recursive: true);
            AnsiConsole.WriteLine($"Removed {root.Root}");
            return ExitCodes.Success;
        });
        return command;
    }
}
