using System.CommandLine;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary><c>steelci validate</c>: reads the pipeline file and shows the work it describes, in order.</summary>
public static class ValidateCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var profile = CommonOptions.Profile();
        var data = CommonOptions.Data();
        var command = new Command("validate", "Check a pipeline file and list its stages in the order they can run") { pipeline, profile, data };
        command.SetAction(result =>
        {
            var resolved = PipelineLoading.Load(result.GetValue(pipeline)!, result.GetValue(profile), result.GetValue(data) ?? []);
            Feasibility.Check(resolved); // what plan and a Kaggle run would otherwise meet only later
            var table = new Table().Title($"{resolved.Name} · profile {resolved.Profile} · backend {resolved.Backend} · store {resolved.Store}");
            table.AddColumns("stage", "entry", "inputs", "epochs", "params");
            foreach (var node in resolved.Nodes)
                table.AddRow(Markup.Escape(node.Name), Markup.Escape(node.Entry), Markup.Escape(string.Join(", ", node.Inputs)),
                    node.Epochs.ToString(), Markup.Escape(string.Join(" ", node.Params.Select(p => $"{p.Key}={p.Value}"))));
            foreach (var external in resolved.ExternalDatasets.Values)
                table.AddRow(Markup.Escape(external.Name), "(folder)", Markup.Escape(external.Path), "", "");
            services.Console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
