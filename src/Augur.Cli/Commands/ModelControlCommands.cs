using System.CommandLine;
using System.Net.Http.Headers;

namespace Augur.Cli.Commands;

/// <summary>
/// <c>augur models load|unload|index --url URL</c>: model control against a running server (Triton's repository
/// extension). The admin key is read from the <c>AUGUR_API_KEY</c> environment variable, never from the command line.
/// </summary>
internal static class ModelControlCommands
{
    public const string ApiKeyVariable = "AUGUR_API_KEY";

    public static IEnumerable<Command> Create()
    {
        yield return Control("load", "Load or reload a model on a running server (explicit model control mode).");
        yield return Control("unload", "Unload a model on a running server; requests in flight finish first.");
        var url = UrlOption();
        var index = new Command("index", "List a running server's repository: each model and version with its state and reason.") { url };
        index.SetAction((parse, cancellationToken) => SendAsync(parse.GetValue(url)!, "v2/repository/index", cancellationToken));
        yield return index;
    }

    private static Command Control(string action, string description)
    {
        var url = UrlOption();
        var model = new Option<string>("--model") { Description = "The model name (its folder in the server's repository).", Required = true };
        var command = new Command(action, description) { url, model };
        command.SetAction((parse, cancellationToken) =>
            SendAsync(parse.GetValue(url)!, $"v2/repository/models/{Uri.EscapeDataString(parse.GetValue(model)!)}/{action}", cancellationToken));
        return command;
    }

    private static Option<string> UrlOption() => new("--url") { Description = "The server, e.g. http://127.0.0.1:8000.", Required = true };

    private static async Task<int> SendAsync(string url, string path, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
        {
            await Console.Error.WriteLineAsync($"--url '{url}' is not an http or https URL").ConfigureAwait(false);
            return 2;
        }

        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        if (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"{(int)response.StatusCode}: {body}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(body.Length > 0 ? body : "ok");
            return 0;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"cannot reach {url}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
