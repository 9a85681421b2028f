// Audit Desk on Azure Functions (Flex Consumption, Python 3.11), with everything it needs:
// storage without shared keys (the app signs in with its managed identity), Application
// Insights on a Log Analytics workspace, and a Key Vault (RBAC) holding the SharePoint
// certificate and the webhook client state. docs/deploy.md walks through a deployment.
// The Entra app registration (Sites.Selected, Mail.Send) is in app-registration.bicep.

targetScope = 'resourceGroup'

@description('Short name used in every resource name (letters and digits, 3 to 11).')
@minLength(3)
@maxLength(11)
param baseName string = 'auditdesk'

@description('Azure region; Flex Consumption must be available there (UK South is).')
param location string = resourceGroup().location

@description('The SharePoint site holding the audit lists, e.g. https://hullcc.sharepoint.com/sites/qa-audits.')
param sharePointSiteUrl string

@description('Directory (tenant) id of the Entra app registration.')
param tenantId string = subscription().tenantId

@description('Application (client) id of the Entra app registration (app-registration.bicep output).')
param sharePointClientId string

@description('Thumbprint (SHA-1, hex) of the certificate uploaded to the app registration.')
param certificateThumbprint string

@description('Name of the Key Vault certificate holding the SharePoint key (PEM).')
param certificateName string = 'sharepoint-app'

@description('Name of the Key Vault secret holding the webhook clientState (created once by the administrator).')
param clientStateSecretName string = 'webhook-client-state'

@description('Mailbox reports and notifications are sent from.')
param mailSender string = ''

@description('Object id of the administrator (user or group) allowed to manage Key Vault secrets and certificates.')
param keyVaultAdministratorObjectId string

@description('Days of logs kept in Log Analytics.')
param logRetentionDays int = 90

// Instance memory, from `make bench` (issue 19; docs/deploy.md, "What it costs"). The queue worker
// alone would fit the smallest size: one invocation handling 100 submissions and a 200 MB upload
// peaks at about 100 MB (bench_worker; batchSize 1, so one at a time per instance). The report
// timers run in the same app: the highlights report peaks at 243 MB on the demo data and
// bench_reports reaches 533 MB aggregating 100,000 audits; with the Functions host on the same
// instance and a queue invocation that may coincide with a report, 512 MB leaves no margin, and
// 100,000 audits do not fit at all. 2048 MB therefore stays the default. On demand it costs
// nothing extra at Hull's volume or a large council's (both inside the monthly free grant): the
// size matters to the bill only for always-ready instances, which this app does not use.
@description('Flex Consumption instance memory (MB). 2048 fits the worker and the reports with room; 512 only after measuring the reports at your volume.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

var suffix = uniqueString(resourceGroup().id, baseName)
var storageName = take(toLower('${baseName}${suffix}'), 24)
var appName = '${baseName}-func-${suffix}'
var vaultName = take('${baseName}-kv-${suffix}', 24)
var deploymentContainer = 'app-package'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${baseName}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-insights-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Only Entra-authenticated telemetry (the app identity, Monitoring Metrics Publisher).
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  //checkov:skip=CKV_AZURE_35: Default allow: Flex Consumption without VNet integration reaches storage over its public endpoint; every request needs an Entra token (shared keys are off).
  //checkov:skip=CKV_AZURE_59: Public endpoint for the same reason; blob public access is off and there are no keys or SAS.
  //checkov:skip=CKV_AZURE_206: Locally redundant is enough: queue messages, change tokens and sent-mail keys are rebuilt from SharePoint.
  //checkov:skip=CKV_AZURE_43: The name is computed (take, toLower, uniqueString) to 3-24 lower-case letters and digits; checkov cannot evaluate it.
  name: storageName
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
  properties: {
    publicAccess: 'None'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  //checkov:skip=CKV_AZURE_109: No firewall rules: the Functions platform resolves Key Vault references over the public endpoint without VNet integration; access is RBAC only.
  //checkov:skip=CKV_AZURE_189: Public network access for the same reason; purge protection and RBAC are on.
  name: vaultName
  location: location
  properties: {
    tenantId: tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  //checkov:skip=CKV_AZURE_225: Zone redundancy is not offered for Flex Consumption in every region; an outage is caught up (timers catch up, SharePoint retries the webhook).
  name: '${baseName}-plan-${suffix}'
  location: location
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  //checkov:skip=CKV_AZURE_222: SharePoint Online must reach the webhook over the internet; it checks clientState, the self-check needs a function key.
  //checkov:skip=CKV_AZURE_17: SharePoint cannot present a client certificate to the webhook.
  //checkov:skip=CKV_AZURE_212: Flex Consumption scales from zero; an instance minimum does not apply.
  //checkov:skip=CKV_AZURE_213: Flex Consumption has no App Service health check; Application Insights records every run.
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
        { name: 'AUDITDESK_HOME', value: '/tmp/auditdesk' }
        { name: 'AUDITDESK_SP_SITE_URL', value: sharePointSiteUrl }
        { name: 'AUDITDESK_SP_TENANT_ID', value: tenantId }
        { name: 'AUDITDESK_SP_CLIENT_ID', value: sharePointClientId }
        { name: 'AUDITDESK_SP_CERT_THUMBPRINT', value: certificateThumbprint }
        { name: 'AUDITDESK_SP_CERT_PEM', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${certificateName})' }
        { name: 'AUDITDESK_WEBHOOK_URL', value: 'https://${appName}.azurewebsites.net/api/sharepoint/webhook' }
        { name: 'AUDITDESK_WEBHOOK_CLIENT_STATE', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${clientStateSecretName})' }
        { name: 'AUDITDESK_MAIL_SENDER', value: mailSender }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: 40
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// The app identity: storage data (no keys), Key Vault secrets (read), telemetry (publish).
var appRoles = [
  { role: roles.storageBlobDataOwner, name: 'blob' }
  { role: roles.storageQueueDataContributor, name: 'queue' }
  { role: roles.storageTableDataContributor, name: 'table' }
]

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for assignment in appRoles: {
    name: guid(storage.id, app.id, assignment.role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.role)
      principalId: app.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultAdministrator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, keyVaultAdministratorObjectId, roles.keyVaultAdministrator)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultAdministrator)
    principalId: keyVaultAdministratorObjectId
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, app.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage
  properties: {
    workspaceId: workspace.id
    metrics: [
      { category: 'Transaction', enabled: true }
    ]
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspace.id
    logs: [
      { categoryGroup: 'audit', enabled: true }
    ]
  }
}

output functionAppName string = app.name
output functionAppPrincipalId string = app.identity.principalId
output webhookUrl string = 'https://${appName}.azurewebsites.net/api/sharepoint/webhook'
output keyVaultName string = vault.name
output storageAccountName string = storage.name
