using System.CommandLine;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci init NAME</c>: a new pipeline folder from the templates embedded in this assembly (Templates/init,
/// <c>{{name}}</c>, <c>{{Namespace}}</c> and <c>{{steelci_root}}</c> substituted): steelci.yml, a trainer project with
/// entry points <c>generate</c> and <c>fit</c> (a tiny TorchSharp regression), its tests and a README.
/// The folder has its own Directory.Build.props, so it builds the same inside the SteelCI repository and outside it.
/// It references SteelCI.Training through <c>SteelCIRoot</c>: a path relative to the folder when the folder is inside
/// the SteelCI checkout, else the checkout's absolute path (found above this steelci, or <c>--steelci-root</c>).
/// </summary>
public static partial class InitCommand
{
    private const string ResourcePrefix = "init/";

    public static Command Create(CliServices services)
    {
        var name = new Argument<string>("name") { Description = "The pipeline's name: 2-30 of a-z, 0-9 and '-' (it prefixes every release tag)" };
        var directory = new Option<string?>("--directory", "-d") { Description = "Folder to create (default: ./NAME); must be absent or empty" };
        var root = new Option<string?>("--steelci-root") { Description = "The SteelCI checkout that provides SteelCI.Training (default: the one this steelci was built in)" };
        var command = new Command("init", "Create a new pipeline: steelci.yml, a trainer project with one working stage, its tests, a README")
        {
            name, directory, root,
        };
        command.SetAction(result => Run(services.Console, result.GetValue(name)!, result.GetValue(directory), result.GetValue(root)));
        return command;
    }
}
