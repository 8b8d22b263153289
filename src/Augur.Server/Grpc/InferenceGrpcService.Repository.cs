using Augur.Errors;
using Augur.Protocol.Grpc;
using Augur.Server.Endpoints;
using Google.Protobuf.Collections;
using Grpc.Core;

namespace Augur.Server.Grpc;

/// <summary>
/// Triton's model repository extension over gRPC: <c>RepositoryIndex</c>, <c>RepositoryModelLoad</c> and
/// <c>RepositoryModelUnload</c>, with the REST endpoints' rules (<see cref="RepositoryControl"/>). They are
/// administration RPCs: the access middleware lets them through only with an admin key (or with
/// <c>AllowAdminWithoutKey</c>). Errors: INVALID_ARGUMENT for a bad name, parameter, repository name or mode, or a
/// failed load (the old versions keep serving); NOT_FOUND for a model with no repository folder.
/// </summary>
internal sealed partial class InferenceGrpcService
{
    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        if (CheckRepositoryName(request.RepositoryName) is { } invalid)
        {
            throw GrpcErrors.ToRpcException(invalid);
        }

        var response = new RepositoryIndexResponse();
        foreach (var row in RepositoryControl.Index(engine, request.Ready))
        {
            response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
            {
                Name = row.Name,
                Version = RepositoryControl.VersionOf(row) ?? string.Empty,
                State = RepositoryControl.StateOf(row),
                Reason = row.Reason,
            });
        }

        return Task.FromResult(response);
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        await ApplyAsync(request.RepositoryName, request.ModelName, request.Parameters, load: true, context).ConfigureAwait(false);
        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        await ApplyAsync(request.RepositoryName, request.ModelName, request.Parameters, load: false, context).ConfigureAwait(false);
        return new RepositoryModelUnloadResponse();
    }

    private async Task ApplyAsync(string repository, string model, MapField<string, ModelRepositoryParameter> parameters, bool load, ServerCallContext context)
    {
        var error = CheckRepositoryName(repository);
        foreach (var name in parameters.Keys)
        {
            if (error is null && RepositoryControl.CheckParameter(name, load) is { } problem)
            {
                error = InferenceError.Invalid(problem);
            }
        }

        error ??= await RepositoryControl.ApplyAsync(engine, model, load, context.CancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw GrpcErrors.ToRpcException(error);
        }
    }

    // Triton's repository_name picks one of several repositories; Augur serves one, so only "any" (empty) is meaningful.
    private static InferenceError? CheckRepositoryName(string repository) =>
        repository.Length == 0
            ? null
            : InferenceError.Invalid($"repository_name must be empty: Augur serves a single model repository (got '{Truncate(repository)}')");

    private static string Truncate(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "...");
}
