using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands;

/// <summary>
/// <c>augur infer</c>: one inference, from a protocol JSON file or inline values, against a server URL or
/// in-process. Prints the response JSON; exits 1 with the error when the inference fails.
/// </summary>
internal static class InferCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model to run.", Required = true };
        var version = new Option<string?>("--model-version") { Description = "The version; default the latest ready one." };
        var request = new Option<FileInfo?>("--request") { Description = "A file holding an Open Inference Protocol JSON request body." };
        var inputs = new Option<string[]>("--input") { Description = "Inline input NAME=v1,v2,... (datatype and shape come from the model); repeat per input.", AllowMultipleArgumentsPerToken = false };
        var url = new Option<string?>("--url") { Description = "A server's base URL, e.g. http://127.0.0.1:8000. Without it the model runs in-process." };
        var repository = CommonOptions.ModelRepository();
        var command = new Command("infer", "Run one inference and print the response JSON.") { model, version, request, inputs, url, repository };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(request);
            var inline = parse.GetValue(inputs) ?? [];
            if ((file is null) == (inline.Length == 0))
            {
                await Console.Error.WriteLineAsync("give either --request FILE or one or more --input NAME=values").ConfigureAwait(false);
                return 2;
            }

            Uri? server = null;
            if (parse.GetValue(url) is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out server) || server.Scheme is not ("http" or "https")))
            {
                await Console.Error.WriteLineAsync($"--url '{text}' is not an http:// or https:// URL").ConfigureAwait(false);
                return 2;
            }

            if (server is null && CommonOptions.CheckRepository(parse.GetValue(repository)!) is { } missing)
            {
                await Console.Error.WriteLineAsync(missing).ConfigureAwait(false);
                return 2;
            }

            await using var target = await CreateTargetAsync(server, parse.GetValue(repository)!, cancellationToken).ConfigureAwait(false);
            var (name, modelVersion) = (parse.GetValue(model)!, parse.GetValue(version));
            byte[] body;
            if (file is not null)
            {
                body = await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var (specs, metadataError) = await target.GetInputsAsync(name, modelVersion, cancellationToken).ConfigureAwait(false);
                string? inputError = null;
                if (specs is null || !InlineInputs.TryBuild(inline, specs, out body, out inputError))
                {
                    await Console.Error.WriteLineAsync(metadataError ?? inputError).ConfigureAwait(false);
                    return 1;
                }
            }

            var (status, response) = await target.InferAsync(name, modelVersion, body, cancellationToken).ConfigureAwait(false);
            if (status != 200)
            {
                await Console.Error.WriteLineAsync($"{status}: {response}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(Indent(response));
            return 0;
        });
        return command;
    }

    private static async Task<IInferTarget> CreateTargetAsync(Uri? url, string repository, CancellationToken cancellationToken)
    {
        if (url is not null)
        {
            return new HttpInferTarget(url);
        }

        using var logging = CommonOptions.ConsoleLogging(LogLevel.Warning);
        return new InProcessInferTarget(await CommonOptions.BuildEngineAsync(repository, 1, logging, cancellationToken).ConfigureAwait(false));
    }

    private static string Indent(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, IndentedOptions);
    }

    private static readonly JsonSerializerOptions IndentedOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
