// The Entra app registration Audit Desk signs in as (app-only, certificate), with exactly the
// application permissions its calls need (docs/deploy.md, "What each permission is for"):
// - SharePoint Sites.Selected: the SharePoint REST calls (lists, files, GetChanges, webhooks),
//   on the one site an administrator grants (grant-site-access.sh, level "manage");
// - Graph Mail.ReadWrite: creating the message with its attachments as a draft
//   (POST /users/{id}/messages, .../attachments, .../createUploadSession, DELETE a failed draft);
//   Mail.Send alone is refused there (learn.microsoft.com/graph/api/user-post-messages);
// - Graph Mail.Send: sending the draft (POST .../messages/{id}/send, graph/api/message-send).
// No Graph Sites.* role: the service never calls Graph's /sites (the site grant is made by an
// administrator's own sign-in in grant-site-access.sh). Limit both mail roles to the sending
// mailbox with an Exchange application access policy (docs/deploy.md). Deploy it with the
// Microsoft Graph Bicep extension (bicepconfig.json), as a Privileged Role Administrator:
//   az deployment group create -g <rg> -f infra/app-registration.bicep
// Admin consent is given by the appRoleAssignedTo resources below.
// Kept apart from main.bicep: checkov cannot parse the `extension` keyword.

extension microsoftGraphV1

@description('Display name shown in Entra ID and to SharePoint administrators.')
param displayName string = 'Audit Desk (Children\'s Services QA)'

@description('Stable key of the registration, so redeploying updates it instead of creating another.')
param uniqueName string = 'audit-desk-qa'

var sharePointAppId = '00000003-0000-0ff1-ce00-000000000000'
var graphAppId = '00000003-0000-0000-c000-000000000000'
var sharePointSitesSelected = '20d37865-089c-4dee-8c41-6967602d4ac8'
var graphMailSend = 'b633e1c5-b582-4048-a93e-9f11b44c7e96'
var graphMailReadWrite = 'e2a3a72e-5f79-4c64-b1b1-878b674786c9'

resource registration 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  requiredResourceAccess: [
    {
      resourceAppId: sharePointAppId
      resourceAccess: [
        { id: sharePointSitesSelected, type: 'Role' }
      ]
    }
    {
      resourceAppId: graphAppId
      resourceAccess: [
        { id: graphMailReadWrite, type: 'Role' }
        { id: graphMailSend, type: 'Role' }
      ]
    }
  ]
}

resource principal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: registration.appId
}

resource sharePoint 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: sharePointAppId
}

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource consentSharePointSitesSelected 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: sharePointSitesSelected
  principalId: principal.id
  resourceId: sharePoint.id
}

resource consentMailReadWrite 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: graphMailReadWrite
  principalId: principal.id
  resourceId: graph.id
}

resource consentMailSend 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: graphMailSend
  principalId: principal.id
  resourceId: graph.id
}

output clientId string = registration.appId
output servicePrincipalId string = principal.id
