using System.CommandLine;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci clean</c>: deletes the workspace (releases, state, attempts, trainer bundles), and only a workspace
/// SteelCI made (<see cref="Workspace.For"/> refuses the root, the home folder, a file and a folder of the user's).
/// </summary>
public static class CleanCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var command = new Command("clean", "Delete the pipeline's workspace: local releases, state, attempts and bundles") { pipeline, workspace };
        command.SetAction(result =>
        {
            var root = Workspace.For(result.GetValue(pipeline)!, result.GetValue(workspace));
            if (!root.Exists)
            {
                services.Console.WriteLine($"Nothing to remove: {root.Root} does not exist");
                return ExitCodes.Success;
            }
            // A link is removed, never followed: what it points at is not SteelCI's.
            Directory.Delete(root.Root, recursive: true);
            services.Console.WriteLine($"Removed {root.Root}");
            return ExitCodes.Success;
        });
        return command;
    }
}
