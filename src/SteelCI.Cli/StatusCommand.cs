using System.CommandLine;
using Spectre.Console;
using SteelCI.Local;

namespace SteelCI.Cli;

/// <summary><c>steelci status</c>: every stage and its attempts as the state records them (no lock taken).</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var command = new Command("status", "Show the stages and attempts recorded for a pipeline") { pipeline, workspace };
        command.SetAction(async (result, cancellationToken) =>
        {
            var root = Workspace.For(result.GetValue(pipeline)!, result.GetValue(workspace));
            var state = await new FileStateStore(root.State).LoadAsync(cancellationToken);
            if (state is null)
            {
                AnsiConsole.WriteLine($"No run recorded in {root.Root}.");
                return ExitCodes.Success;
            }
            var table = new Table().Title($"{state.Pipeline} · last run {state.RunId} · updated {state.UpdatedUtc:u}");
            table.AddColumns("stage", "status", "attempts", "last attempt", "release", "error");
            foreach (var (name, stage) in state.Stages)
            {
                var last = stage.Attempts.LastOrDefault();
                table.AddRow(Markup.Escape(name), stage.Status.ToString().ToLowerInvariant(), stage.Attempts.Count.ToString(),
                    Markup.Escape(last is null ? "" : $"{last.Slug} {last.State.ToString().ToLowerInvariant()}"),
                    Markup.Escape(stage.Release ?? ""), Markup.Escape(stage.Error ?? ""));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
