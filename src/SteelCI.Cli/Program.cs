using System.CommandLine;
using Spectre.Console;
using SteelCI.Cli;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Spec;

var fake = FakeKaggleCommand.Create();
fake.Subcommands.Add(FakeGitHubCommand.Create());
var root = new RootCommand("SteelCI: multi-stage TorchSharp training on this machine and on Kaggle, with checkpoints as releases")
{
    RunCommand.Create(),
    TickCommand.Create(),
    PlanCommand.Create(),
    StatusCommand.Create(),
    LogsCommand.Create(),
    CancelCommand.Create(),
    RetryCommand.Create(),
    DoctorCommand.Create(),
    PruneCommand.Create(),
    ValidateCommand.Create(),
    CleanCommand.Create(),
    DownloadCommand.Create(),
    InitCommand.Create(),
    PredictCommand.Create(),
    KaggleProbeCommand.Create(),
    fake,
};

try
{
    // Our own handlers below turn known failures into clear messages and exit codes; anything else is a bug and
    // should surface with its stack trace.
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (SpecException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (NotSupportedException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (RunLockedException error)
{
    return Fail(error.Message, ExitCodes.Busy);
}
catch (SteelCI.Ports.StateLockedException error) // the GitHub state's lease is held, or another runner saved first
{
    return Fail(error.Message, ExitCodes.Busy);
}
catch (TrainerBuildException error)
{
    return Fail(error.Message, ExitCodes.StageFailed);
}
catch (InvalidDataException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (SteelCI.Kaggle.Credentials.KaggleCredentialsException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (Exception error) when (Infrastructure.Is(error)) // no capacity, quota out, an API down: not the code's fault
{
    return Fail(Infrastructure.Describe(error), ExitCodes.Infrastructure);
}
catch (SteelCI.Kaggle.Api.KaggleException error) // messages name the account and what to do; never a secret
{
    return Fail(error.Message, ExitCodes.StageFailed);
}
catch (SteelCI.GitHub.GitHubStoreException error) // missing configuration, missing release, refused checksum; never the token
{
    return Fail(error.Message, ExitCodes.StageFailed);
}

static int Fail(string message, int code)
{
    AnsiConsole.Console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    return code;
}
