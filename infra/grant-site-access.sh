#!/usr/bin/env bash
# Grant Audit Desk's app registration access to ONE SharePoint site (Sites.Selected).
# Bicep cannot express this grant. Run it as a SharePoint or Global Administrator after
# `az login` (docs/deploy.md, step 5):
#
#   infra/grant-site-access.sh https://contoso.sharepoint.com/sites/qa-audits <client-id> [write|manage]
#
# "manage" (the default) is what the service needs: it provisions its lists, columns and views
# and lists the webhook subscriptions on them (Microsoft's webhook docs ask for manage-list
# rights for that). "write" is enough only for items, files, changes and creating webhooks.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 <site-url> <app-client-id> [write|manage]" >&2
  exit 2
fi
site_url="${1%/}"
client_id="$2"
role="${3:-manage}"
case "$role" in
  write|manage) ;;
  *) echo "role must be write or manage, not '$role'" >&2; exit 2 ;;
esac
case "$site_url" in
  https://*.sharepoint.com/sites/*|https://*.sharepoint.com/teams/*) ;;
  *) echo "expected a site URL like https://contoso.sharepoint.com/sites/qa-audits, not '$site_url'" >&2; exit 2 ;;
esac

graph="https://graph.microsoft.com/v1.0"
without_scheme="${site_url#https://}"
host="${without_scheme%%/*}"
path="/${without_scheme#*/}"

site_id="$(az rest --method GET --url "$graph/sites/$host:$path?\$select=id" --query id --output tsv)"
echo "site: $site_id"

body="$(printf '{"roles":["%s"],"grantedToIdentities":[{"application":{"id":"%s","displayName":"Audit Desk"}}]}' "$role" "$client_id")"
az rest --method POST --url "$graph/sites/$site_id/permissions" \
  --headers "Content-Type=application/json" --body "$body" --output none
echo "granted '$role' on $site_url to app $client_id"

# Show what the site now grants, so the administrator can check.
az rest --method GET --url "$graph/sites/$site_id/permissions" \
  --query "value[].{roles: join(',', roles), app: grantedToIdentitiesV2[0].application.displayName}" --output table
